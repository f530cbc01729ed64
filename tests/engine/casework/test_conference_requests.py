"""A request can withhold a whole report, one uploaded file or a passage; agreed, it holds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.casework import family_links
from engine.documents import report_files
from engine.models import CasePerson, ConferenceRequest, Report
from engine.models.withholding import shares_for
from engine.platform.errors import InvalidValue, NotFound
from tests.engine.documents.hostile_files import clean_pdf
from tests.engine.documents.test_document_redaction import (
    copy_text,
    download_text,
    the_conference,
)
from tests.processes.driver import Case, invited

PASSAGE = "Grace has started a course at Northtown College"


def person(case: Case, name: str) -> CasePerson:
    query = select(CasePerson).where(CasePerson.child_id == case.child.id, CasePerson.name == name)
    return case.db.scalars(query).one()


def reports_in(case: Case) -> None:
    """Every agency report in by 6 January, with a file uploaded to the GP's."""
    invited(case)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    gp = case.db.scalars(select(Report).where(Report.author == "Dr Asha Patel")).one()
    row = report_files.upload(
        case.db, case.staff["bs"], gp, "gp-letter.pdf", clean_pdf(), case.clock.now()
    )
    return row


def request(field: str, **named) -> dict:
    return {
        "kind": "withhold",
        "details": f"Keep the {field} from the father.",
        "field": field,
        "withheld_from": "Tom Okoye",
        **named,
    }


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    made.file = reports_in(made)
    asked = [
        request("report", report="Robin Hall"),
        request("file", report=made.file.filename),
        request("passage", passage=PASSAGE),
    ]
    made.do("social_worker_report", requests=asked)
    agreed = [{**r, "decision": "agreed", "reason": "Risk to the mother."} for r in asked]
    made.at("2027-01-08 11:00")
    made.do("decide_requests", requests=agreed)
    return made


def test_agreeing_makes_the_report_file_and_passage_withheld_items(case):
    items = {(i.record, i.field) for i in withholding.in_force(case.db, case.child.id)}
    assert items == {("report", "summary"), ("report_file", "file"), ("request", "passage")}
    rows = case.db.scalars(select(ConferenceRequest).order_by(ConferenceRequest.id)).all()
    assert rows[0].report.author == "Robin Hall" and rows[1].report_file_id == case.file.id
    assert rows[2].passage == PASSAGE
    assert {r.raised_by_id for r in rows} == {case.staff["sw"].id}


def test_the_father_reads_none_of_them_and_the_mother_all(case):
    case.do("chair_pre_contact")
    case.at("2027-01-11 15:00")
    case.do("hold_conference", safety_plan=f"{PASSAGE}, so she is out on Tuesdays.")
    tom, grace = (copy_text(case, "minutes", n) for n in ("Tom Okoye", "Grace Okoye"))
    assert "Northtown College" not in tom and "Agency report (Police)" not in tom
    assert PASSAGE in " ".join(grace.split()) and "Agency report (Police)" in grace
    hidden = withholding.values_hidden_from(case.db, person(case, "Tom Okoye"), case.child.id)
    assert PASSAGE in hidden
    assert withholding.values_hidden_from(case.db, person(case, "Grace Okoye"), case.child.id) == []


def test_the_fathers_link_has_no_withheld_file(case):
    conference = the_conference(case)
    for report in case.db.scalars(select(Report).where(Report.conference_id == conference.id)):
        report.shared_with_parents_on = case.clock.today()
    case.db.commit()
    tom = person(case, "Tom Okoye")
    token = family_links.issue(
        case.db,
        case.staff["sw"],
        conference,
        tom.id,
        family_links.PARENT_REPORT,
        "tom@example.invalid",
        case.clock.now(),
    )
    opened = family_links.open_link(case.db, token, case.clock.now())
    assert "police" not in {r.agency for r in opened.shared_reports}
    assert case.file.id not in {f.id for files in opened.files.values() for f in files}
    with pytest.raises(NotFound):
        family_links.shared_file(case.db, token, case.file.id, case.clock.now())
    with pytest.raises(NotFound):
        withholding.require_file(case.db, tom, case.file.id)
    assert withholding.require_file(case.db, person(case, "Grace Okoye"), case.file.id)


def test_a_request_naming_no_one_to_withhold_from_is_refused_whole(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    reports_in(made)
    asked = [{**request("report", report="Robin Hall"), "withheld_from": ""}]
    made.do("social_worker_report", requests=asked)
    made.at("2027-01-08 11:00")
    with pytest.raises(InvalidValue, match="who it is withheld from"):
        made.do("decide_requests", requests=[{**asked[0], "decision": "agreed", "reason": "R"}])
    db.rollback()
    assert withholding.in_force(db, made.child.id) == []


def test_a_report_no_one_wrote_is_a_clear_error(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    reports_in(made)
    with pytest.raises(InvalidValue, match="no report by Nobody"):
        made.do("social_worker_report", requests=[request("report", report="Nobody")])


def shared_with(case: Case, author: str) -> list[str]:
    report = case.db.scalars(select(Report).where(Report.author == author)).one()
    return [s.person.name for s in shares_for(case.db, [report.id])[report.id]]


def test_a_report_asked_to_be_withheld_from_a_parent_is_shared_only_with_the_other(case):
    assert shared_with(case, "Robin Hall") == ["Grace Okoye"]
    assert shared_with(case, "Dr Asha Patel") == ["Grace Okoye", "Tom Okoye"]
    case.do("chair_pre_contact")
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    minutes = " ".join(download_text(case, "sw", "minutes").split())
    assert "Agency report (Police): Robin Hall, shared with Grace Okoye on Thursday 7" in minutes
    assert "Robin Hall, shared with Grace Okoye on Thursday 7 January 2027; Tom" not in minutes


def test_refused_the_report_is_given_to_that_parent_when_decided(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    reports_in(made)
    asked = [request("report", report="Robin Hall")]
    made.do("social_worker_report", requests=asked)
    assert shared_with(made, "Robin Hall") == ["Grace Okoye"]
    made.at("2027-01-08 11:00")
    made.do("decide_requests", requests=[{**asked[0], "decision": "refused", "reason": "No."}])
    assert shared_with(made, "Robin Hall") == ["Grace Okoye", "Tom Okoye"]
