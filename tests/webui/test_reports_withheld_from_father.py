"""A GP's report and a school's report withheld from the father reach him nowhere (issue 23).

The GP and the school have no accounts: each sends a report and a file by the link they
were emailed. The social worker asks for both reports to be kept from the father, and the
chair agrees. Then the father's family link and its files,
every letter and the minutes posted to him (PDF and Word, as text), every email to him, and
the API as he can reach it are searched: neither report is anywhere. The mother still has
both on her link and in what is posted to her. Runs on PostgreSQL with DATABASE_URL set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import family_links, professional_links
from engine.models import OutboxMessage, WithheldItem
from tests.engine.documents.hostile_files import clean_pdf
from tests.processes.driver import Case, invited
from tests.webui.test_withheld_everywhere import (
    conference,
    family_outputs,
    leaks,
    person,
)

GP = "Dr Asha Patel"
SCHOOL = "Ms Jo Barnes"
GP_REPORT = "Tom was treated for a hand injury on 3 December; the mother disclosed bruising."
SCHOOL_REPORT = "Amara told her teacher she hides in the wardrobe when her father shouts."
FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "address": "1 Elm Row\nNorthtown NT1 1AA"},
    {"name": "Tom Okoye", "relationship": "Father", "address": "4 Old Road\nSouthtown ST2 9ZZ"},
]
AGENCIES = [
    {"agency": "police", "name": "Robin Hall", "username": "police"},
    {"agency": "gp", "name": GP, "email": "gp@example.invalid"},
    {"agency": "school", "name": SCHOOL, "email": "school@example.invalid"},
]
REQUESTS = [
    {
        "kind": "withhold",
        "details": "The GP's report holds what the mother told the doctor in confidence.",
        "field": "report",
        "report": GP,
        "withheld_from": "Tom Okoye",
    },
    {
        "kind": "withhold",
        "details": "The school's report would tell the father what Amara said.",
        "field": "report",
        "report": SCHOOL,
        "withheld_from": "Tom Okoye",
    },
]
SUMMARIES = {GP: GP_REPORT, SCHOOL: SCHOOL_REPORT, "Robin Hall": "No police record."}


def withheld_text() -> list[bytes]:
    """Each report whole and in pieces, as a page's truncation or a PDF's line breaks may
    leave it."""
    pieces = [
        GP_REPORT,
        SCHOOL_REPORT,
        "hand injury",
        "bruising",
        "wardrobe",
        "school.pdf",
        "gp.pdf",
    ]
    return [p.encode() for p in pieces]


@pytest.fixture
def case(db, web_engine, clock, quick_password_hashing):
    made = Case(db, web_engine, clock, reload=False)
    invited(made, family=FAMILY, agencies=AGENCIES)
    for name in ("Grace Okoye", "Tom Okoye"):
        person(made, name).email = f"{name.split()[0].lower()}@example.invalid"
    db.commit()
    made.at("2027-01-06 11:00")
    police = next(t for t in made.all_ready("agency_report") if t.assignee_id)
    made.do("agency_report", task=police, actor="police", report_summary=SUMMARIES["Robin Hall"])
    # The GP and the school have no accounts: each sends the report and a file by the link
    # they were emailed with their invitation.
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "professional_link"))
    tokens = {m.to_address: m.link_path.rsplit("/", 1)[1] for m in mails}
    for author, address, filename in (
        (GP, "gp@example.invalid", "gp.pdf"),
        (SCHOOL, "school@example.invalid", "school.pdf"),
    ):
        professional_links.submit(
            db,
            web_engine,
            tokens[address],
            {"report_summary": SUMMARIES[author]},
            professional_links.Upload(filename, clean_pdf()),
            clock.now(),
        )
    made.do("social_worker_report", report_shared_date="2027-01-06", requests=REQUESTS)
    made.at("2027-01-08 11:00")
    agreed = [
        {**r, "decision": "agreed", "reason": "Risk to the mother and child."} for r in REQUESTS
    ]
    made.do("decide_requests", requests=agreed)
    made.do("chair_pre_contact")
    made.at("2027-01-11 15:00")
    made.do("hold_conference")
    made.at("2027-01-12 10:00")
    made.do("decision_letter")
    made.do("send_minutes", minutes_sent_date="2027-01-12")
    made.tokens = {
        name: family_links.issue(
            db,
            made.staff["sw"],
            conference(made),
            person(made, name).id,
            family_links.PARENT_FEEDBACK,
            f"{name.split()[0].lower()}@example.invalid",
            clock.now(),
        )
        for name in ("Grace Okoye", "Tom Okoye")
    }
    return made


def api_as_the_father(app, case: Case) -> dict[str, bytes]:
    """The API from the father's browser, his link just opened: it answers him nothing."""
    client, found = app.test_client(), {}
    client.get(f"/family/{case.tokens['Tom Okoye']}")
    row = conference(case)
    for path in (
        f"/api/v1/children/{case.child.id}",
        f"/api/v1/children/{case.child.id}/conferences",
        f"/api/v1/instances/{row.instance_id}",
        "/api/v1/tasks",
    ):
        response = client.get(path)
        assert response.status_code in (401, 403), path
        found[path] = response.get_data()
    return found


def test_the_father_gets_neither_report_anywhere(app, case):
    items = case.db.scalars(select(WithheldItem)).all()
    assert len(items) == 2 and {i.from_person_id for i in items} == {person(case, "Tom Okoye").id}
    outputs = family_outputs(app, case, "Tom Okoye") | api_as_the_father(app, case)
    assert sum(k.endswith(".pdf") for k in outputs) >= 5
    assert sum(k.endswith(".docx") for k in outputs) >= 5
    assert any(k.startswith("email") for k in outputs)
    assert leaks(outputs, withheld_text()) == []
    letters = b" ".join(v for k, v in outputs.items() if "/invitation/" in k)
    assert b"4 Old Road" in letters  # his own copy, addressed to him
    assert any(b"Minutes" in v for k, v in outputs.items() if "/minutes/" in k)
    assert b"No police record." in outputs["link"]  # a report not withheld from him


def test_the_mother_still_sees_both_reports(app, case):
    outputs = family_outputs(app, case, "Grace Okoye")
    link = b" ".join(outputs["link"].split())
    assert GP_REPORT.encode() in link and SCHOOL_REPORT.encode() in link
    assert b"school.pdf" in link and b"gp.pdf" in link  # their files, which he is not offered
