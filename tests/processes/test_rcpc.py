"""Review conferences: one short workflow per review cycle, from one review to the next."""

from datetime import date

import pytest
from sqlalchemy import select

from engine.models import Conference, CoreGroupMeeting, Plan
from engine.platform.errors import InvalidValue
from tests.processes.driver import Case, on_a_plan


def reviews(case) -> list[Conference]:
    query = select(Conference).where(Conference.kind == "rcpc").order_by(Conference.id)
    return list(case.db.scalars(query))


def hold_first_review(case, **answers):
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    case.do("send_invitations", invitations_sent_date="2027-02-25")
    case.at("2027-04-08 15:00")
    return case.do("hold_review", held_date="2027-04-08", **answers)


def test_first_review_is_due_3_months_after_the_initial_conference(case):
    plan = on_a_plan(case)
    review = reviews(case)[0]
    # Three months on is Sunday 11 April: due the last working day before, Friday 9 April.
    assert (review.due_on, review.review_number, review.plan_id) == (date(2027, 4, 9), 1, plan.id)
    booking = case.ready()["book_conference"]
    # Booking is asked for 30 working days (six weeks) ahead, over Easter 2027.
    assert booking.due_on == date(2027, 2, 24)
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    case.do("send_invitations", invitations_sent_date="2027-02-25")
    tasks = case.ready()
    # Reports for reviews: 3 working days before (the council setting for reviews).
    assert tasks["social_worker_report"].due_on == date(2027, 4, 5)
    assert tasks["hold_review"].due_on == date(2027, 4, 9)


def test_a_review_that_continues_the_plan_changes_the_category_and_sets_the_next(case):
    plan = on_a_plan(case)
    hold_first_review(case, decision="continue", category="EMO")
    case.db.refresh(plan)
    assert (plan.initial_category, plan.latest_category, plan.ended_on) == ("NEG", "EMO", None)
    first, second = reviews(case)
    assert (first.held_on, first.decision, first.category) == (date(2027, 4, 8), "continue", "EMO")
    # Then every 6 calendar months from the review.
    assert (second.due_on, second.review_number) == (date(2027, 10, 8), 2)
    assert len([i for i in case.instances("rcpc") if i.active]) == 2
    case.at("2027-04-09 10:00")
    case.do("decision_letter")
    first_cycle = case.do("send_minutes", minutes_sent_date="2027-04-09")
    assert first_cycle.status == "completed"
    assert [i.status for i in case.instances("rcpc")] == ["completed", "running"]


def test_a_review_that_ends_the_plan_stops_core_groups_and_reviews(case):
    plan = on_a_plan(case)
    assert case.ready()["core_group_meeting"].instance.process_id == "core_group"
    hold_first_review(case, decision="end_cin", category=None)
    case.db.refresh(plan)
    assert (plan.ended_on, plan.end_reason) == (date(2027, 4, 8), "review_cin")
    assert [i.status for i in case.instances("core_group")] == ["terminated"]
    assert len(case.instances("rcpc")) == 1  # no next review
    assert "core_group_meeting" not in case.ready()
    assert sorted(case.ready()) == ["decision_letter", "send_minutes"]
    case.do("decision_letter")
    assert case.do("send_minutes").status == "completed"


def test_a_review_ending_with_no_further_action(case):
    plan = on_a_plan(case)
    hold_first_review(case, decision="end_nfa", category=None)
    case.db.refresh(plan)
    assert plan.end_reason == "review_nfa"


def test_a_late_review_escalates_and_needs_a_reason(case):
    on_a_plan(case)
    case.at("2027-04-12 00:01")  # due Friday 9 April (three months on was Sunday 11 April)
    case.sweep()
    assert ("tm", "Overdue: The review conference (RCPC-000003)") in case.mail("escalation")
    # Its reminder came first, to business support: the chair's step waits on their booking.
    assert ("bs", "Due 9 April 2027: The review conference (RCPC-000003)") in case.mail("reminder")
    with pytest.raises(InvalidValue) as refused:
        case.do("book_conference", conference_date="2027-04-14")
    assert refused.value.fields == {
        "booking_reason": "Wednesday 14 April 2027 is after the date the conference is due, "
        "Friday 9 April 2027: say why it is booked for then"
    }
    case.do("book_conference", conference_date="2027-04-14", booking_reason="Parents asked.")
    case.do("send_invitations", invitations_sent_date="2027-04-12")
    case.at("2027-04-14 15:00")
    case.do("hold_review", held_date="2027-04-14")
    late = case.ready()["agree_review_held_late"]
    assert case.engine.task_data(case.db, late)["late_explanation"] == "Parents asked."
    case.do("agree_review_held_late", late_explanation="Parents asked to move it.")
    assert reviews(case)[0].late_reason == "chair_availability: Parents asked to move it."


def test_the_plan_ends_when_the_young_person_turns_18(db, engine, clock):
    case = Case(db, engine, clock, reload=True, born=date(2009, 3, 1))
    plan = on_a_plan(case)
    case.at("2027-03-01 08:00")
    case.sweep()  # the overdue core group escalates meanwhile; the plan goes on
    db.refresh(plan)
    assert plan.ended_on is None
    case.at("2027-03-01 08:01")
    assert case.sweep() == 1
    db.refresh(plan)
    assert (plan.ended_on, plan.end_reason) == (date(2027, 3, 1), "reached_18")
    assert [i.status for i in case.instances("rcpc")] == ["completed"]
    assert [i.status for i in case.instances("core_group")] == ["terminated"]
    assert case.ready() == {}


def test_core_group_meetings_continue_at_the_council_interval(case):
    plan = on_a_plan(case)
    first = case.ready()["core_group_meeting"]
    assert (first.due_on, first.assignee_id) == (date(2027, 1, 25), case.staff["sw"].id)
    case.at("2027-01-22 10:00")
    case.do("core_group_meeting", core_group_date="2027-01-22")
    second = case.ready()["core_group_meeting"]
    assert second.due_on == date(2027, 3, 5)  # 6 weeks after the meeting
    meetings = case.db.scalars(select(CoreGroupMeeting).order_by(CoreGroupMeeting.id)).all()
    assert [(m.sequence, m.due_on, m.held_on) for m in meetings] == [
        (1, date(2027, 1, 25), date(2027, 1, 22)),
        (2, date(2027, 3, 5), None),
    ]
    assert all(m.plan_id == plan.id for m in meetings)


def test_a_core_group_falling_on_a_bank_holiday_is_due_the_working_day_before(case):
    on_a_plan(case)
    case.at("2027-01-22 10:00")
    case.do("core_group_meeting", core_group_date="2027-01-22")
    case.at("2027-02-12 10:00")
    case.do("core_group_meeting", core_group_date="2027-02-12")
    # Six weeks on is Good Friday, 26 March 2027: due the Thursday before.
    assert case.ready()["core_group_meeting"].due_on == date(2027, 3, 25)


def test_a_council_can_meet_every_4_weeks(case):
    from engine.platform import settings

    on_a_plan(case)
    with settings.using(core_group_interval_weeks=4):
        case.do("core_group_meeting", core_group_date="2027-01-22")
    assert case.ready()["core_group_meeting"].due_on == date(2027, 2, 19)


def test_a_late_core_group_is_escalated_and_explained(case):
    on_a_plan(case)
    case.at("2027-01-26 00:01")
    case.sweep()
    assert case.mail("escalation") == [
        ("tm", "Overdue: The core group meeting (CORE-GROUP-000002)")
    ]
    case.at("2027-01-27 10:00")
    case.do("core_group_meeting", core_group_date="2027-01-27")
    assert case.ready()["core_group_meeting"].due_on == date(2027, 3, 10)
    case.do("agree_core_group_late")
    meeting = case.db.scalars(select(CoreGroupMeeting)).first()
    assert meeting.held_on == date(2027, 1, 27)


def test_plan_rows_survive_for_the_census(case):
    plan = on_a_plan(case)
    stored = case.db.get(Plan, plan.id)
    assert (stored.started_on, stored.initial_category, stored.previous_plans) == (
        date(2027, 1, 11),
        "NEG",
        0,
    )


def test_stored_state_does_not_grow_with_the_age_of_the_plan(case):
    """Two years of core groups: each meeting is its own small instance, not a longer tree."""
    on_a_plan(case)
    held = date(2027, 1, 22)
    for _ in range(16):
        case.do("core_group_meeting", core_group_date=held.isoformat())
        held = case.ready()["core_group_meeting"].due_on
    sizes = [len(i.state) for i in case.instances("core_group") if i.status == "completed"]
    assert len(sizes) == 16
    assert max(sizes) - min(sizes) < 200  # the same few kilobytes at month 1 and month 24
