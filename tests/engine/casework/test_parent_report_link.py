"""A parents' report sent through the family link completes the social worker's step that
was waiting for it (issue 22): nobody types it again."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.models import AuditEvent, CasePerson, Conference, HumanTask, Report
from tests.processes.driver import Case, invited

ANSWERS = {"strengths": "We love her and we are trying.", "worries": ""}
LABELS = {"strengths": "What is going well", "worries": "What worries you"}


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=True)
    invited(made, parent_report_expected=True)
    return made


def link_for_the_mother(case) -> str:
    conference = case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()
    mother = case.db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    now = case.engine.clock.now()
    return family_links.issue(
        case.db, case.staff["sw"], conference, mother.id, "parent_report", "g@example.invalid", now
    )


def test_the_report_by_link_completes_the_parents_report_step(case):
    token = link_for_the_mother(case)
    waiting = case.ready()["parent_report"]
    case.at("2027-01-06 19:30")
    family_links.submit(case.db, token, ANSWERS, LABELS, case.engine.clock.now(), case.engine)
    case.db.expire_all()
    assert "parent_report" not in case.ready()
    done = case.db.get(HumanTask, waiting.id)
    assert (done.state, done.completed_by_id) == ("completed", None)
    report = case.db.scalars(select(Report).where(Report.kind == "parent")).one()
    mother = case.db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    assert (report.author, report.person_id) == ("Grace Okoye", mother.id)
    assert report.submitted_on == date(2027, 1, 6)
    assert report.summary == "What is going well: We love her and we are trying."
    last = case.db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.detail["task"]) == ("task.completed", "parent_report")


def test_a_used_link_cannot_send_it_twice(case):
    token = link_for_the_mother(case)
    now = case.engine.clock.now()
    family_links.submit(case.db, token, ANSWERS, LABELS, now, case.engine)
    with pytest.raises(family_links.LinkRefused):
        family_links.submit(case.db, token, ANSWERS, LABELS, now, case.engine)
    assert len(case.db.scalars(select(Report).where(Report.kind == "parent")).all()) == 1


def test_without_the_step_the_report_is_kept_as_before(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)  # no parents' report expected: no step waits for it
    token = link_for_the_mother(case)
    family_links.submit(case.db, token, ANSWERS, LABELS, case.engine.clock.now(), case.engine)
    report = case.db.scalars(select(Report).where(Report.kind == "parent")).one()
    assert report.author == "Grace Okoye"
