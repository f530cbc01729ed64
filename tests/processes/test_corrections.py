"""A manager corrects a held conference's date and decision, audited, with what the diagram
works out from them following (issue 22)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.casework import corrections
from engine.models import AuditEvent, Conference, Plan, Timer
from engine.models.enquiries import Section47Enquiry
from engine.platform.clock import LONDON
from engine.platform.errors import InvalidValue
from tests.processes.driver import held


@pytest.fixture
def case(case):
    held(case)  # held Monday 11 January 2027, a neglect plan; letter due the 12th
    case.at("2027-01-12 09:00")
    return case


def conference(case) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def correct(case, reason="The chair typed the wrong day.", **answers):
    return corrections.correct(
        case.db,
        case.staff["tm"],
        conference(case).id,
        answers,
        reason,
        case.engine.clock.now(),
        case.engine,
    )


def test_a_corrected_held_date_moves_the_plan_and_the_letter_dates(case):
    # Booked for the 11th, held then; the chair meant to record Tuesday 12th, say.
    correct(case, held_date="2027-01-12")
    case.db.expire_all()
    assert conference(case).held_on == date(2027, 1, 12)
    plan = case.db.scalars(select(Plan)).one()
    assert plan.started_on == date(2027, 1, 12)
    ready = case.ready()
    assert ready["decision_letter"].due_on == date(2027, 1, 13)  # a working day after
    assert ready["send_minutes"].due_on == date(2027, 2, 2)  # 15 working days after
    due = case.db.scalars(
        select(Timer.due_at).where(
            Timer.element == "decision_letter_overdue", Timer.status == "waiting"
        )
    ).one()
    assert due == datetime(2027, 1, 14, 0, 0, tzinfo=LONDON)
    event = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.corrected")
    ).one()
    assert event.detail["changes"] == {
        "held_date": {"old": "2027-01-11", "new": "2027-01-12"},
        # what the workflows it started were given follows (test_correction_follow_ons.py)
        "core_group_due_date": {"old": "2027-01-25", "new": "2027-01-26"},
        "review_due_date": {"old": "2027-04-09", "new": "2027-04-12"},
    }
    assert event.detail["reason"] == "The chair typed the wrong day."


def test_the_category_is_corrected_on_the_plan_too(case):
    correct(case, category="EMO")
    case.db.expire_all()
    plan = case.db.scalars(select(Plan)).one()
    assert (conference(case).category, plan.initial_category, plan.latest_category) == (
        "EMO",
        "EMO",
        "EMO",
    )


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"decision": "nfa"}, "decision"),  # no plan: the plan was started from it
        ({"held_date": "2027-01-08"}, "held_date"),  # before the day it was booked for
        ({"held_date": "2027-01-20"}, "held_date"),  # in the future
        ({"category": "XYZ"}, "category"),
    ],
)
def test_a_correction_that_cannot_be_is_refused_and_changes_nothing(case, answers, field):
    with pytest.raises(InvalidValue) as refused:
        correct(case, **answers)
    assert field in refused.value.fields
    case.db.expire_all()
    row = conference(case)
    assert (row.held_on, row.decision, row.category) == (date(2027, 1, 11), "cp_plan", "NEG")
    assert not case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.corrected")
    ).all()


def test_a_corrected_strategy_discussion_date_gives_the_conference_its_due_date(case):
    # Recorded as Friday 18 December 2026 (due 13 January); it was on Monday 21st.
    assert conference(case).due_on == date(2027, 1, 13)
    correct(case, strategy_discussion_date="2026-12-21")
    case.db.expire_all()
    row = conference(case)
    assert row.strategy_discussion_date == date(2026, 12, 21)
    assert row.due_on == date(2027, 1, 14)  # 15 working days on, over Christmas
    enquiry = case.db.scalars(select(Section47Enquiry)).one()
    assert (enquiry.strategy_discussion_date, enquiry.icpc_target_date) == (
        date(2026, 12, 21),
        date(2027, 1, 14),
    )
    event = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.corrected")
    ).one()
    assert event.detail["changes"]["due_date"] == {"old": "2027-01-13", "new": "2027-01-14"}


def test_a_strategy_date_after_the_conference_is_refused(case):
    with pytest.raises(InvalidValue) as refused:
        correct(case, strategy_discussion_date="2027-01-12")
    assert "Monday 11 January 2027" in refused.value.fields["strategy_discussion_date"]
