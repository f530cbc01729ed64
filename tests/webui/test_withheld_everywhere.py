"""What the chair agrees to keep from a person reaches them in no output, end to end.

A case with agreed requests: the mother's new address, the police report and a passage of
the social worker's (about her college course) withheld from the father; the mother's phone
withheld from the police officer; the father excluded from the police part of the meeting.
Then, as each person involved, every page, API response, CSV, PDF and Word document (as
text), email in the outbox and family-link page they can reach is fetched and searched: the
father gets none of what is withheld from him, the officer not the phone, and the mother and
the professionals see what they should. Runs on PostgreSQL with DATABASE_URL set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.models import (
    CasePerson,
    Conference,
    OutboxMessage,
    Report,
    ReportFile,
    WithheldItem,
)
from engine.models.conferences import ICPC
from engine.models.instances import HumanTask
from tests.engine.documents.hostile_files import clean_pdf
from tests.processes.driver import Case, invited
from tests.webui.authorization_world import CaseIds, World
from tests.webui.conftest import sign_in
from tests.webui.test_authorization_matrix import RULES, url_for_case
from tests.webui.test_withholding import ASSETS, as_text_bytes

ADDRESS = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
PHONE = "07700 900456"
PASSAGE = "Grace has started a course at Northtown College"
POLICE = "Intelligence: an associate of the father was convicted of arson in 2024."
SOCIAL_WORKER = f"Home visits went well. {PASSAGE}, on Tuesdays."
SAFETY_PLAN = f"Grace lives at {ADDRESS.replace(chr(10), ', ')}. {PASSAGE}."
FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "address": ADDRESS},
    {"name": "Tom Okoye", "relationship": "Father", "address": "4 Old Road\nSouthtown ST2 9ZZ"},
]
REASON = {"decision": "agreed", "reason": "Risk of harm to the mother."}
REQUESTS = [
    {
        "kind": "withhold",
        "details": "The mother has moved to a refuge.",
        "person": "Grace Okoye",
        "field": "address",
        "withheld_from": "Tom Okoye",
    },
    {
        "kind": "withhold",
        "details": "The police report names an associate.",
        "field": "report",
        "report": "Robin Hall",
        "withheld_from": "Tom Okoye",
    },
    {
        "kind": "withhold",
        "details": "Her course would tell him where she is on Tuesdays.",
        "field": "passage",
        "passage": PASSAGE,
        "withheld_from": "Tom Okoye",
    },
    {
        "kind": "withhold",
        "details": "The officer does not need her new number.",
        "person": "Grace Okoye",
        "field": "phone",
        "withheld_from": "Robin Hall",
    },
    {"kind": "exclude", "details": "Tom has threatened the mother.", "person": "Tom Okoye"},
]
EXCLUDED_FROM = "The police report and the discussion of it"
KINDS = ("agenda", "invitation", "decision_letter", "minutes", "plan")


def from_the_father() -> list[bytes]:
    """Every piece of what is withheld from the father, as any output might carry it."""
    lines = [*ADDRESS.splitlines(), ADDRESS.replace("\n", ", "), PASSAGE, POLICE, "arson"]
    return [line.encode() for line in lines] + [line.lower().encode() for line in lines]


@pytest.fixture
def case(db, web_engine, clock, quick_password_hashing):
    made = Case(db, web_engine, clock, reload=False)
    invited(made, family=FAMILY)
    grace = person(made, "Grace Okoye")
    grace.phone, grace.email = PHONE, "grace@example.invalid"
    person(made, "Tom Okoye").email = "tom@example.invalid"
    db.commit()
    made.at("2027-01-06 11:00")
    for task in made.all_ready("agency_report"):
        police = bool(task.assignee_id)
        made.do(
            "agency_report",
            task=task,
            actor="police" if police else "bs",
            report_summary=POLICE if police else "Known to us.",
        )
    made.do("social_worker_report", report_summary=SOCIAL_WORKER, requests=REQUESTS)
    decisions = [{**r, **REASON} for r in REQUESTS]
    decisions[-1]["excluded_from"] = EXCLUDED_FROM
    made.at("2027-01-08 11:00")
    made.do("decide_requests", requests=decisions)
    made.do("chair_pre_contact")
    made.at("2027-01-11 15:00")
    made.do("hold_conference", safety_plan=SAFETY_PLAN)
    made.at("2027-01-12 10:00")
    made.do("decision_letter")
    made.do("send_minutes", minutes_sent_date="2027-01-12")
    row = conference(made)
    police_report = db.scalars(select(Report).where(Report.summary == POLICE)).one()
    db.add(
        ReportFile(
            report_id=police_report.id,
            filename="associate.pdf",
            content_type="application/pdf",
            size=len(clean_pdf()),
            content=clean_pdf(),
        )
    )
    db.commit()
    made.tokens = {
        name: family_links.issue(
            db,
            made.staff["sw"],
            row,
            person(made, name).id,
            family_links.PARENT_FEEDBACK,
            f"{name.split()[0].lower()}@example.invalid",
            clock.now(),
        )
        for name in ("Grace Okoye", "Tom Okoye")
    }
    return made


def person(case: Case, name: str) -> CasePerson:
    query = select(CasePerson).where(CasePerson.child_id == case.child.id, CasePerson.name == name)
    return case.db.scalars(query).one()


def conference(case: Case) -> Conference:
    query = select(Conference).where(Conference.child_id == case.child.id, Conference.kind == ICPC)
    return case.db.scalars(query).one()


def world(case: Case) -> World:
    """The case's ids, for every route's URL (the matrix's `url_for_case`)."""
    row = conference(case)
    police_report = case.db.scalars(select(Report).where(Report.summary == POLICE)).one()
    task = case.db.scalars(
        select(HumanTask).where(HumanTask.instance_id == row.instance_id).limit(1)
    ).one()
    ids = CaseIds(
        child_id=case.child.id,
        instance_id=row.instance_id,
        task_id=task.id,
        item_id=case.db.scalars(select(WithheldItem.id).limit(1)).one(),
        conference_id=row.id,
        report_id=police_report.id,
        file_id=case.db.scalars(select(ReportFile.id)).first(),
        person_id=person(case, "Tom Okoye").id,
        token=case.tokens["Tom Okoye"],
    )
    message = case.db.scalars(select(OutboxMessage.id)).first()
    return World(own=ids, other=ids, message_id=message, version_id=0, move_id=0)


def staff_outputs(app, case: Case, username: str) -> dict[str, bytes]:
    """Every GET route of this case as one member of staff: pages, API, CSV, documents."""
    client, ids, found = app.test_client(), world(case), {}
    sign_in(client, username)
    for endpoint, method in sorted(RULES):
        if method != "GET" or endpoint in ASSETS or endpoint.startswith("family."):
            continue
        formats = ("pdf", "docx") if endpoint.startswith("documents.") else (None,)
        for kind in KINDS if endpoint in ("documents.download", "documents.posted_copy") else ("",):
            for file_format in formats:
                path = url_for_case(app, endpoint, ids, True)
                if kind:
                    path = path.replace("/agenda", f"/{kind}")
                if file_format and path.endswith((".pdf", ".docx")):
                    path = path.rsplit(".", 1)[0] + "." + file_format
                response = client.get(path, follow_redirects=True)
                assert response.status_code != 500, path
                found[path] = as_text_bytes(response)
                response.close()
    return found


def family_outputs(app, case: Case, name: str) -> dict[str, bytes]:
    """What reaches one parent: their link's page and files, every copy posted to them, and
    every email sent to their address."""
    found, client, token = {}, app.test_client(), case.tokens[name]
    html = client.get(f"/family/{token}")
    found["link"] = html.get_data()
    for file_id in case.db.scalars(select(ReportFile.id)):
        found[f"file {file_id}"] = as_text_bytes(client.get(f"/family/{token}/files/{file_id}"))
    staff = app.test_client()
    sign_in(staff, "bs")
    row, who = conference(case), person(case, name).id
    for kind in KINDS:
        for file_format in ("pdf", "docx"):
            path = f"/conferences/{row.id}/documents/{kind}/for/{who}.{file_format}"
            response = staff.get(path)
            assert response.status_code == 200, path
            found[path] = as_text_bytes(response)
    email = f"{name.split()[0].lower()}@example.invalid"
    for message in case.db.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)):
        found[f"email {message.id}"] = f"{message.subject}\n{message.body}".encode()
    return found


def leaks(outputs: dict[str, bytes], fragments: list[bytes]) -> list[tuple[str, bytes]]:
    return [(where, f) for where, body in outputs.items() for f in fragments if f in body]


def test_the_father_gets_none_of_it_anywhere(app, case):
    outputs = family_outputs(app, case, "Tom Okoye")
    assert len(outputs) >= 12 and any(k.startswith("email") for k in outputs)
    assert leaks(outputs, from_the_father()) == []
    letters = b" ".join(outputs[k] for k in outputs if "/invitation/" in k)
    assert b"4 Old Road" in letters and EXCLUDED_FROM.encode() in letters
    assert b"Grace lives at Withheld" in b" ".join(outputs.values())


def test_the_mother_gets_her_address_the_passage_and_the_police_report(app, case):
    outputs = family_outputs(app, case, "Grace Okoye")
    everything = b" ".join(b" ".join(body.split()) for body in outputs.values())
    assert POLICE.encode() in everything  # on her link: shared with her, not with him
    assert PASSAGE.encode() in everything and b"8 Quiet Lane" in everything
    assert EXCLUDED_FROM.encode() not in b" ".join(outputs[k] for k in outputs if "invitation" in k)


def test_the_officer_gets_no_phone_and_staff_see_what_is_withheld_from_others(app, case):
    police = staff_outputs(app, case, "police")
    assert leaks(police, [PHONE.encode()]) == []
    assert any(POLICE.encode() in body for body in police.values())  # their own report
    social_worker = staff_outputs(app, case, "sw")
    everything = b" ".join(b" ".join(body.split()) for body in social_worker.values())
    for seen in (PHONE, "8 Quiet Lane", PASSAGE, POLICE, EXCLUDED_FROM):
        assert seen.encode() in everything, seen


@pytest.mark.parametrize("username", ["chair", "tm", "bs"])
def test_other_staff_see_it_and_no_backstop_was_needed(app, case, username):
    outputs = staff_outputs(app, case, username)
    assert leaks(outputs, [b"[withheld]"]) == []
    everything = b" ".join(b" ".join(body.split()) for body in outputs.values())
    assert b"8 Quiet Lane" in everything and PASSAGE.encode() in everything
