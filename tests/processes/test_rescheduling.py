"""A booked conference moved to another date, time, venue and chair (issue 22)."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.casework import rescheduling
from engine.models import AuditEvent, Conference, DocumentRecord, Escalation, Report, Timer
from engine.platform.clock import LONDON
from engine.platform.errors import InvalidValue, NotAllowed
from tests.factories import make_user
from tests.processes.driver import invited

MOVED = {
    "on": date(2027, 1, 12),
    "at": "14:00",
    "venue": "Town Hall, room 4",
    "chair": "chair2",
    "reason": "The mother is in hospital on the 11th.",
}


def conference(case) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def move(case, who="bs", **changes):
    return rescheduling.reschedule(
        case.db, case.engine, case.staff[who], conference(case).id, **{**MOVED, **changes}
    )


@pytest.fixture
def booked(case):
    case.staff["chair2"] = make_user(case.db, "chair2", "conference_chair", team=None)
    invited(case)
    case.at("2027-01-06 10:00")
    return case


def test_a_move_changes_the_booking_reinvites_and_is_audited(booked):
    case = booked
    sent_before = case.db.scalars(select(DocumentRecord.kind)).all()
    move(case)
    row = conference(case)
    assert (row.scheduled_on, row.scheduled_time, row.venue, row.chair_id) == (
        date(2027, 1, 12),
        "14:00",
        "Town Hall, room 4",
        case.staff["chair2"].id,
    )
    sent = case.db.scalars(select(DocumentRecord.kind).order_by(DocumentRecord.id)).all()
    assert sent[len(sent_before) :] == ["invitation", "agenda"]
    event = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.rescheduled")
    ).one()
    assert event.detail["old"] == {
        "date": "2027-01-11",
        "time": "10:00",
        "venue": "Civic Centre, room 2",
        "chair": case.staff["chair"].display_name,
    }
    assert event.detail["new"]["date"] == "2027-01-12"
    assert event.detail["reason"] == MOVED["reason"]


def test_the_new_chair_holds_it_and_it_cannot_be_held_before_the_new_date(booked):
    case = booked
    move(case)
    ready = case.ready()
    assert ready["hold_conference"].assignee_id == case.staff["chair2"].id
    assert ready["chair_pre_contact"].assignee_id == case.staff["chair2"].id
    case.at("2027-01-11 15:00")
    with pytest.raises(InvalidValue, match="Tuesday 12 January 2027"):
        case.do("hold_conference", actor="chair2", held_date="2027-01-11")
    case.at("2027-01-12 16:00")
    case.do("hold_conference", actor="chair2", held_date="2027-01-12")
    assert conference(case).held_on == date(2027, 1, 12)


def test_a_chair_step_still_to_come_goes_to_the_new_chair(booked):
    case = booked
    move(case)
    case.do("social_worker_report", requests=[{"kind": "exclude", "details": "Threats."}])
    assert case.ready()["decide_requests"].assignee_id == case.staff["chair2"].id


def test_a_move_after_the_due_date_keeps_its_reason_as_the_late_reason_draft(booked):
    case = booked
    move(case, on=date(2027, 1, 15), chair="chair")
    assert conference(case).booking_reason == MOVED["reason"]


@pytest.mark.parametrize(
    ("who", "changes", "refusal"),
    [
        ("sw", {}, NotAllowed),
        ("bs", {"chair": "sw"}, InvalidValue),
        ("bs", {"on": date(2027, 1, 5)}, InvalidValue),
        ("bs", {"reason": " "}, InvalidValue),
    ],
)
def test_a_move_is_refused_and_changes_nothing(booked, who, changes, refusal):
    case = booked
    with pytest.raises(refusal):
        move(case, who=who, **changes)
    case.db.expire_all()
    assert conference(case).scheduled_on == date(2027, 1, 11)
    assert not case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.rescheduled")
    ).all()


def test_a_held_conference_cannot_be_moved(booked):
    case = booked
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    with pytest.raises(NotAllowed, match="has been held"):
        move(case, on=date(2027, 1, 20))


def _timer_due(case, element: str) -> datetime:
    query = select(Timer.due_at).where(Timer.element == element, Timer.status == "waiting")
    return case.db.scalars(query).one()


def test_the_report_dates_and_their_timers_follow_the_new_date(case):
    invited(case)  # booked for Monday 11 January: reports due Thursday 7 January
    case.at("2027-01-04 10:00")
    move(case, on=date(2027, 1, 13), chair="chair")
    ready = case.ready()
    # Two working days before Wednesday 13 January, as the diagram's setting says.
    assert ready["social_worker_report"].due_on == date(2027, 1, 11)
    assert {t.due_on for t in case.all_ready("agency_report")} == {date(2027, 1, 11)}
    assert ready["chair_pre_contact"].due_on == date(2027, 1, 12)
    assert _timer_due(case, "social_worker_report_overdue") == datetime(
        2027, 1, 12, 0, 0, tzinfo=LONDON
    )

    def reminders():
        return [m for m in case.mail("reminder") if "Write your report" in m[1]]

    case.at("2027-01-05 09:00")  # the old reminder's day: nothing now
    case.sweep()
    assert reminders() == []
    case.at("2027-01-07 08:01")  # two working days before the new due date
    case.sweep()
    case.sweep()
    (told,) = reminders()
    assert told[0] == "sw" and told[1].startswith("Due 11 January 2027: Write your report")
    case.at("2027-01-08 09:00")  # the old deadline passed: no escalation
    case.sweep()
    assert not case.db.scalars(select(Escalation).where(Escalation.step == "report_shared")).all()
    case.at("2027-01-12 00:01")
    case.sweep()
    case.sweep()
    levels = case.db.scalars(select(Escalation.level).where(Escalation.step == "report_shared"))
    assert list(levels) == [1]
    assert len(reminders()) == 1  # exactly once


def test_the_reports_still_awaited_are_due_on_the_new_report_date(case):
    """Every agency report not yet in, asked for in the service or by a link, is due two
    working days before the new date, as its step and timers are."""
    invited(case)  # booked for Monday 11 January: reports due Thursday 7 January
    case.at("2027-01-05 10:00")
    police = next(t for t in case.all_ready("agency_report") if t.assignee_id)
    case.do("agency_report", task=police, actor="police", report_submitted_date="2027-01-05")
    move(case, on=date(2027, 1, 13), chair="chair")
    reports = case.db.scalars(select(Report).where(Report.kind == "agency"))
    assert {(r.agency, r.due_on) for r in reports} == {
        ("police", date(2027, 1, 7)),  # in already: due when it was asked for
        ("gp", date(2027, 1, 11)),
    }
    assert {t.due_on for t in case.all_ready("agency_report")} == {date(2027, 1, 11)}
