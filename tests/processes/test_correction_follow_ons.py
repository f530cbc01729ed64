"""A corrected held date reaches the workflows the conference started, and a corrected
strategy discussion date the finished conference's record (issue 22, point 6).

The first core group and the first review run in workflows of their own, their due dates
worked out from the day the conference was held by the conference's diagram
(`recomputeFollowOns`); they are worked out again from the corrected day, their timers with
them: a reminder already sent is not sent again, and a timer whose new moment has passed
fires once, at the next sweep.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.casework import corrections
from engine.models import AuditEvent, Conference, ProcessInstance, Timer
from engine.models.plans import CoreGroupMeeting
from engine.models.timers import FIRED, WAITING
from engine.platform.clock import LONDON
from engine.platform.errors import InvalidValue
from tests.processes.driver import held, on_a_plan
from tests.processes.test_rcpc import hold_first_review


def icpc(case) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def correct(case, reason="The chair typed the wrong day.", **answers):
    return corrections.correct(
        case.db,
        case.staff["tm"],
        icpc(case).id,
        answers,
        reason,
        case.engine.clock.now(),
        case.engine,
    )


def timers(case, element: str) -> list[Timer]:
    query = select(Timer).where(Timer.element == element).order_by(Timer.id)
    return list(case.db.scalars(query))


def midnight(day: int, month: int = 1) -> datetime:
    return datetime(2027, month, day, 0, 0, tzinfo=LONDON)


def test_the_first_core_group_and_review_follow_a_corrected_held_date(case):
    held(case)  # Monday 11 January 2027: core group due the 25th, review Friday 9 April
    case.at("2027-01-12 09:00")
    assert timers(case, "core_group_meeting_overdue")[0].due_at == midnight(26)

    done = correct(case, held_date="2027-01-12")

    case.db.expire_all()
    ready = case.ready()
    assert ready["core_group_meeting"].due_on == date(2027, 1, 26)  # 10 working days on
    assert case.db.scalars(select(CoreGroupMeeting.due_on)).one() == date(2027, 1, 26)
    waiting = {t.element: t.due_at for t in case.db.scalars(select(Timer)) if t.status == WAITING}
    # 2 working days before, at the start of the working day
    assert waiting["core_group_meeting_remind"] == datetime(2027, 1, 22, 8, 0, tzinfo=LONDON)
    assert waiting["core_group_meeting_overdue"] == midnight(27)
    assert waiting["core_group_meeting_overdue2"] == midnight(3, 2)
    # the review: three months on, a working day (Monday 12 April, not Sunday 11th)
    review = case.db.scalars(select(Conference).where(Conference.kind == "rcpc")).one()
    assert review.due_on == date(2027, 4, 12)
    # 30 working days before, over Easter
    assert ready["book_conference"].due_on == date(2027, 2, 25)
    [rcpc] = case.instances("rcpc")
    query = select(Timer).where(Timer.instance_id == rcpc.id, Timer.status == WAITING)
    review_timers = {t.element: t.due_at for t in case.db.scalars(query)}
    assert review_timers["conference_overdue"] == midnight(13, 4)
    assert review_timers["book_conference_overdue"] == midnight(26, 2)
    assert "The first core group meeting is now due Tuesday 26 January 2027" in done.message
    assert "The review conference is now due Monday 12 April 2027" in done.message
    # the next instance's numbers never moved: one instance of each still runs
    assert [i.status for i in case.instances("core_group")] == ["running"]


def test_a_reminder_sent_is_not_sent_again_and_a_past_deadline_fires_once(case):
    # Booked for Thursday 7 January, recorded as held on Monday 11th: core group due the
    # 25th (reminder the 21st, overdue from the 26th).
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-04 09:00")
    case.do("book_conference", conference_date="2027-01-07")
    case.do("send_invitations")
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    case.at("2027-01-21 09:00")
    case.sweep()
    reminders = [s for _to, s in case.mail("reminder") if "core group" in s.lower()]
    assert len(reminders) == 1

    # On the 22nd it turns out the conference was held on the 7th: the core group was due
    # the 21st, so it is overdue since midnight. Nothing is sent by the correction itself.
    case.at("2027-01-22 09:00")
    escalations = len(case.mail("escalation"))
    correct(case, held_date="2027-01-07")
    case.db.expire_all()
    assert len(case.mail("escalation")) == escalations
    assert case.ready()["core_group_meeting"].due_on == date(2027, 1, 21)
    [overdue] = timers(case, "core_group_meeting_overdue")
    assert (overdue.status, overdue.due_at) == (WAITING, midnight(22))

    assert case.sweep() >= 1
    case.db.expire_all()
    core_group = [s for _to, s in case.mail("escalation")[escalations:] if "core group" in s]
    assert core_group == ["Overdue: The core group meeting (" + core_group[0].split("(")[1]]
    assert [t.status for t in timers(case, "core_group_meeting_overdue")] == [FIRED]
    assert timers(case, "core_group_meeting_overdue2")[0].due_at == midnight(29)
    case.sweep()  # fired once, never twice
    case.db.expire_all()
    after = [s for _to, s in case.mail("escalation")[escalations:] if "core group" in s]
    assert after == core_group
    reminders = [s for _to, s in case.mail("reminder") if "core group" in s.lower()]
    assert len(reminders) == 1  # sent on the 21st, not again


def test_a_strategy_date_is_corrected_after_the_conference_finished(case):
    on_a_plan(case)  # strategy discussion 18 December 2026, due 13 January
    case.at("2027-01-12 09:00")
    [instance] = case.instances("icpc")
    assert instance.status != "running"

    done = correct(case, strategy_discussion_date="2026-12-21")

    case.db.expire_all()
    row = icpc(case)
    assert (row.strategy_discussion_date, row.due_on) == (date(2026, 12, 21), date(2027, 1, 14))
    event = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "conference.corrected")
    ).one()
    assert event.detail["changes"] == {
        "strategy_discussion_date": {"old": "2026-12-18", "new": "2026-12-21"},
        "due_date": {"old": "2027-01-13", "new": "2027-01-14"},
    }
    assert "No running workflow uses the strategy discussion date" in done.message
    # the finished workflow is left as it was
    assert case.db.get(ProcessInstance, instance.id).lock_version == instance.lock_version


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"held_date": "2027-02-02"}, "today is Monday 1 February 2027"),
        ({"held_date": "2027-01-29"}, "first core group met, Thursday 28 January 2027"),
        ({"strategy_discussion_date": "2027-01-12"}, "held, Monday 11 January 2027"),
    ],
)
def test_a_refusal_names_the_field_and_the_date_it_conflicts_with(case, answers, words):
    held(case)
    case.at("2027-01-28 10:00")
    case.do("core_group_meeting", core_group_date="2027-01-28")
    case.at("2027-02-01 10:00")
    with pytest.raises(InvalidValue) as refused:
        correct(case, **answers)
    [field] = answers
    assert words in refused.value.fields[field]


def test_a_corrected_review_held_date_moves_the_next_review_only(case):
    on_a_plan(case)
    hold_first_review(case)  # held Thursday 8 April 2027: the next review due Friday 8 October
    case.at("2027-04-13 09:00")
    query = select(Conference).where(Conference.kind == "rcpc").order_by(Conference.id)
    first, second = case.db.scalars(query).all()
    assert (first.due_on, second.due_on) == (date(2027, 4, 9), date(2027, 10, 8))

    corrections.correct(
        case.db,
        case.staff["tm"],
        first.id,
        {"held_date": "2027-04-12"},
        "The review was adjourned and decided on the Monday.",
        case.engine.clock.now(),
        case.engine,
    )

    case.db.expire_all()
    first, second = case.db.scalars(query).all()
    # six months on from the corrected day; the review corrected keeps its own due date
    assert (first.held_on, first.due_on) == (date(2027, 4, 12), date(2027, 4, 9))
    assert second.due_on == date(2027, 10, 12)
    [_first, running] = case.instances("rcpc")
    query = select(Timer).where(
        Timer.instance_id == running.id, Timer.element == "conference_overdue"
    )
    assert case.db.scalars(query).one().due_at == midnight(13, 10)
