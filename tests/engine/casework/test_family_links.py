"""A family link is read for its family member: what is withheld from them is not in it.

The case: the mother's address and phone, and a police report, are withheld from the father.
The social worker's report, shared with both parents, quotes her address and phone.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.models import CasePerson, Conference, Report, ReportFile, WithheldItem
from engine.models.conferences import ReportShare
from tests.processes.driver import Case, held, invited

ADDRESS = "Flat 3, Refuge House\n12 Hidden Lane\nOT1 2AB"
PHONE = "07700 900123"
SECRET = "Police intelligence: an associate of the father has convictions for violence."
PDF = b"%PDF-1.4\n%%EOF\n"


def secrets() -> list[str]:
    """Every piece of what is withheld from the father, as a page might show it."""
    return [*ADDRESS.splitlines(), ADDRESS.replace("\n", ", "), PHONE, SECRET, "convictions"]


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    held(made)
    return made


def family(case) -> dict[str, CasePerson]:
    query = select(CasePerson).where(CasePerson.child_id == case.child.id)
    return {p.name: p for p in case.db.scalars(query)}


def conference(case) -> Conference:
    query = select(Conference).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def withheld_from_the_father(case) -> dict[str, int]:
    """Set the case up; the ids of the report files (shared one, withheld one)."""
    db, people = case.db, family(case)
    grace, tom = people["Grace Okoye"], people["Tom Okoye"]
    grace.address, grace.phone = ADDRESS, PHONE
    shared = db.scalars(select(Report).where(Report.kind == "social_worker")).one()
    shared.summary = (
        shared.summary or ""
    ) + f"\nGrace has moved to {ADDRESS.replace(chr(10), ', ')}; her phone is {PHONE}."
    secret = Report(
        conference_id=conference(case).id,
        kind="agency",
        agency="police",
        author="Robin Hall",
        summary=SECRET,
        submitted_on=date(2027, 1, 6),
        shared_with_parents_on=shared.shared_with_parents_on,
    )
    db.add(secret)
    db.flush()
    # Given to the mother as the share step gives a report: per parent, never to the father.
    db.add(
        ReportShare(
            report_id=secret.id, person_id=grace.id, shared_on=secret.shared_with_parents_on
        )
    )
    files = {}
    for name, report, filename in (
        ("shared", shared, "Home visit, 12 Hidden Lane.pdf"),
        ("secret", secret, "Police.pdf"),
    ):
        row = ReportFile(
            report_id=report.id,
            filename=filename,
            content_type="application/pdf",
            size=len(PDF),
            content=PDF,
            uploaded_at=case.clock.now(),
        )
        db.add(row)
        db.flush()
        files[name] = row.id
    for record, record_id, field in (
        ("person", grace.id, "address"),
        ("person", grace.id, "phone"),
        ("report", secret.id, "summary"),
    ):
        db.add(
            WithheldItem(
                child_id=case.child.id,
                record=record,
                record_id=record_id,
                field=field,
                from_person_id=tom.id,
                reason="She has fled; he must not find her.",
                by_id=case.staff["chair"].id,
            )
        )
    db.commit()
    return files


def link_for(case, name: str, purpose=family_links.PARENT_REPORT) -> str:
    person = family(case)[name]
    return family_links.issue(
        case.db,
        case.staff["sw"],
        conference(case),
        person.id,
        purpose,
        "p@example.com",
        case.clock.now(),
    )


def everything_read(opened) -> str:
    reports = [f"{r.kind} {r.agency} {r.summary}" for r in opened.shared_reports]
    files = [f.filename for found in opened.files.values() for f in found]
    return "\n".join(reports + files)


@pytest.mark.parametrize("purpose", [family_links.PARENT_REPORT, family_links.PARENT_FEEDBACK])
def test_the_fathers_link_reads_nothing_withheld_from_him(case, purpose):
    files = withheld_from_the_father(case)
    token = link_for(case, "Tom Okoye", purpose)
    opened = family_links.open_link(case.db, token, case.clock.now())
    text = everything_read(opened)
    assert [s for s in secrets() if s.casefold() in text.casefold()] == []
    assert "social_worker" in [r.kind for r in opened.shared_reports]
    assert files["secret"] not in {f.id for found in opened.files.values() for f in found}
    assert "Grace has moved to Withheld" in text  # the rest of the sentence is still his
    download = family_links.shared_file(case.db, token, files["shared"], case.clock.now())
    assert "Hidden" not in download.filename and download.content == PDF
    with pytest.raises(family_links.NotFound):
        family_links.shared_file(case.db, token, files["secret"], case.clock.now())


def test_the_mothers_link_shows_her_own_address_and_the_police_report(case):
    withheld_from_the_father(case)
    token = link_for(case, "Grace Okoye")
    text = everything_read(family_links.open_link(case.db, token, case.clock.now()))
    assert "12 Hidden Lane, OT1 2AB" in text and PHONE in text and SECRET in text


def test_nothing_read_for_the_father_is_written_back(case):
    withheld_from_the_father(case)
    family_links.open_link(case.db, link_for(case, "Tom Okoye"), case.clock.now())
    case.db.expire_all()
    shared = case.db.scalars(select(Report).where(Report.kind == "social_worker")).one()
    assert PHONE in shared.summary


POLICE = "Intelligence: an associate of the father was convicted of arson in 2024."


@pytest.mark.parametrize("decision", [None, "refused"])
def test_a_report_asked_to_be_kept_from_the_father_waits_off_his_link(db, engine, clock, decision):
    """The social worker shares the reports and, in the same step, asks the chair to keep the
    police report from the father. While the chair decides, his link does not show it (the
    report's own shared date is set for both parents at once); the mother's does. Refused,
    it is given to him, and then his link shows it."""
    made = Case(db, engine, clock, reload=False)
    invited(made)
    made.at("2027-01-06 11:00")
    for task in made.all_ready("agency_report"):
        police = bool(task.assignee_id)
        summary = POLICE if police else "Known to us."
        made.do(
            "agency_report", task=task, actor="police" if police else "bs", report_summary=summary
        )
    request = {
        "kind": "withhold",
        "details": "It names an associate of his.",
        "field": "report",
        "report": "Robin Hall",
        "withheld_from": "Tom Okoye",
    }
    made.do("social_worker_report", report_shared_date="2027-01-06", requests=[request])
    if decision:
        made.at("2027-01-07 11:00")
        made.do(
            "decide_requests", requests=[{**request, "decision": decision, "reason": "No risk."}]
        )

    def read_by(name: str) -> str:
        return everything_read(family_links.open_link(db, link_for(made, name), clock.now()))

    assert POLICE in read_by("Grace Okoye")
    assert (POLICE in read_by("Tom Okoye")) is (decision == "refused")
