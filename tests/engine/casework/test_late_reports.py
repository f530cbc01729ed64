"""A report that comes in after the social worker shared the reports goes to the parents
when it arrives, per parent, respecting what is withheld (issue 23)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.casework import family_links
from engine.models import AuditEvent, CasePerson, Conference, Report
from engine.models.conferences import ReportShare
from tests.processes.driver import Case, invited


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=True)
    invited(made)  # the police and a GP asked for reports, due Thursday 7 January
    made.at("2027-01-06 11:00")
    made.do("social_worker_report", report_shared_date="2027-01-06")
    return made


def police_report(case) -> Report:
    return case.db.scalars(select(Report).where(Report.agency == "police")).one()


def people(case) -> dict[str, int]:
    return {p.name: p.id for p in case.db.scalars(select(CasePerson))}


def shared_with(case, report: Report) -> set[int]:
    query = select(ReportShare.person_id).where(ReportShare.report_id == report.id)
    return set(case.db.scalars(query))


def police_task(case):
    return next(t for t in case.all_ready("agency_report") if t.assignee_id)


def test_a_report_after_the_share_step_goes_to_each_parent(case):
    case.at("2027-01-08 09:30")
    case.do("agency_report", task=police_task(case), actor="police")
    report = police_report(case)
    assert report.shared_with_parents_on == date(2027, 1, 8)
    family = people(case)
    assert shared_with(case, report) == {family["Grace Okoye"], family["Tom Okoye"]}
    ((who, subject),) = case.mail("report_shared_late")
    assert who == "sw" and subject.startswith("A late report has gone to the parents (ICPC-")
    event = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.shared_late")
    ).one()
    assert event.detail["parents"] == 2


def test_it_is_not_given_to_a_parent_it_is_withheld_from(case):
    report, family = police_report(case), people(case)
    conference = case.db.scalars(select(Conference)).one()
    withholding.withhold(
        case.db,
        case.staff["chair"],
        conference.child_id,
        "report",
        report.id,
        "summary",
        f"person:{family['Tom Okoye']}",
        "Police intelligence about the father's associate.",
        case.engine.clock.now(),
    )
    case.at("2027-01-08 09:30")
    case.do("agency_report", task=police_task(case), actor="police")
    assert shared_with(case, police_report(case)) == {family["Grace Okoye"]}
    now = case.engine.clock.now()
    links = {}
    for name in ("Grace Okoye", "Tom Okoye"):
        token = family_links.issue(
            case.db, case.staff["sw"], conference, family[name], "parent_report", "p@x.invalid", now
        )
        opened = family_links.open_link(case.db, token, now)
        links[name] = {r.agency for r in opened.shared_reports}
    assert "police" in links["Grace Okoye"]
    assert "police" not in links["Tom Okoye"]


def test_a_report_in_before_the_share_step_is_shared_by_it_not_twice(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)
    case.at("2027-01-05 10:00")
    case.do("agency_report", task=police_task(case), actor="police")
    assert police_report(case).shared_with_parents_on is None  # nothing shared yet
    case.at("2027-01-06 11:00")
    case.do("social_worker_report", report_shared_date="2027-01-06")
    assert police_report(case).shared_with_parents_on == date(2027, 1, 6)
    assert not case.mail("report_shared_late")


def test_with_nothing_withheld_the_parents_are_given_it_after_one_read(case):
    from sqlalchemy import event

    from engine.models.withholding import share_with_parents

    report = police_report(case)
    sent: list[str] = []
    keep = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(case.db.get_bind(), "before_cursor_execute", keep)
    given = share_with_parents(case.db, report, date(2027, 1, 8))
    event.remove(case.db.get_bind(), "before_cursor_execute", keep)
    family = people(case)
    assert set(given) == {family["Grace Okoye"], family["Tom Okoye"]}
    assert len([s for s in sent if "FROM withheld_items" in s]) == 1  # not one per parent
    people_read = [s for s in sent if s.lstrip().startswith("SELECT") and "case_people" in s]
    assert len(people_read) == 1  # the parents with their records, in one read


def test_two_reports_shared_together_read_the_parents_once_each_as_they_may(case):
    from sqlalchemy import event

    from engine.models.withholding import share_all_with_parents

    police, family = police_report(case), people(case)
    gp = case.db.scalars(select(Report).where(Report.agency == "gp")).one()
    conference = case.db.scalars(select(Conference)).one()
    withholding.withhold(
        case.db,
        case.staff["chair"],
        conference.child_id,
        "report",
        police.id,
        "summary",
        f"person:{family['Tom Okoye']}",
        "Police intelligence about the father's associate.",
        case.engine.clock.now(),
    )
    sent: list[str] = []
    keep = lambda *args: sent.append(args[2])  # noqa: E731
    event.listen(case.db.get_bind(), "before_cursor_execute", keep)
    given = share_all_with_parents(case.db, [(police, date(2027, 1, 8)), (gp, date(2027, 1, 9))])
    event.remove(case.db.get_bind(), "before_cursor_execute", keep)
    assert set(given[police.id]) == {family["Grace Okoye"]}
    assert set(given[gp.id]) == {family["Grace Okoye"], family["Tom Okoye"]}
    assert shared_with(case, police) == {family["Grace Okoye"]}
    assert shared_with(case, gp) == {family["Grace Okoye"], family["Tom Okoye"]}
    shares = select(ReportShare).where(ReportShare.report_id.in_([police.id, gp.id]))
    dates = {(s.report_id, s.shared_on) for s in case.db.scalars(shares)}
    assert dates == {(police.id, date(2027, 1, 8)), (gp.id, date(2027, 1, 9))}
    people_read = [s for s in sent if "case_people" in s and "withheld_items" not in s]
    assert len(people_read) == 1  # the parents with their records, once for both reports
    # Whether anything is withheld, then what is withheld from each parent: once each.
    assert len([s for s in sent if "FROM withheld_items" in s]) == 3
