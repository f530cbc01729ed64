"""Dates checked against each other and the calendar, each refusal naming its field (issue 22)."""

import pytest
from sqlalchemy import select

from engine.models import Conference, Report
from engine.platform.errors import InvalidValue
from tests.processes.driver import invited, on_a_plan


def conference(case) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()


def discussed(case):
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")


def refused(case, step, **answers) -> dict:
    with pytest.raises(InvalidValue) as caught:
        case.do(step, **answers)
    return caught.value.fields


@pytest.mark.parametrize(
    ("booked", "why"),
    [
        ("2027-01-09", "Saturday 9 January 2027 is not a working day"),
        ("2026-12-25", "Friday 25 December 2026 is not a working day"),
        (
            "2027-01-14",
            "Thursday 14 January 2027 is after the date the conference is due, "
            "Wednesday 13 January 2027",
        ),
    ],
)
def test_a_booking_off_the_calendar_or_late_asks_why(case, booked, why):
    discussed(case)
    assert refused(case, "book_conference", conference_date=booked) == {
        "booking_reason": f"{why}: say why it is booked for then"
    }
    assert conference(case).scheduled_on is None and "book_conference" in case.ready()
    case.do("book_conference", conference_date=booked, booking_reason="The family asked.")
    assert conference(case).booking_reason == "The family asked."


def test_a_booking_on_time_keeps_no_reason(case):
    discussed(case)
    case.do("book_conference", booking_reason="Not needed.")
    assert conference(case).booking_reason is None


def test_a_conference_is_not_held_before_its_booked_date(case):
    invited(case)
    case.at("2027-01-08 15:00")
    assert refused(case, "hold_conference", held_date="2027-01-08") == {
        "held_date": "Date the conference was held must be on or after the date it was booked "
        "for, Monday 11 January 2027: reschedule the conference first"
    }
    assert conference(case).held_on is None
    assert {"hold_conference", "chair_pre_contact", "agency_report"} <= set(case.ready())


def test_a_core_group_is_not_before_the_plan_started(case):
    on_a_plan(case)
    case.at("2027-01-12 10:00")
    assert refused(case, "core_group_meeting", core_group_date="2027-01-08") == {
        "core_group_date": "Date of the core group meeting must be on or after the day the "
        "plan started, Monday 11 January 2027"
    }
    case.do("core_group_meeting", core_group_date="2027-01-11")


def test_a_report_is_not_shared_before_it_was_written(case):
    invited(case)
    case.at("2027-01-07 10:00")
    fields = refused(
        case,
        "social_worker_report",
        report_completed_date="2027-01-06",
        report_shared_date="2027-01-05",
    )
    assert fields == {
        "report_shared_date": "Date the report was shared must be on or after the date it "
        "was completed, Wednesday 6 January 2027"
    }


def test_a_report_received_after_the_sharing_is_not_marked_shared(case):
    invited(case)
    case.at("2027-01-08 11:00")
    police = next(t for t in case.all_ready("agency_report") if t.assignee_id)
    case.do("agency_report", task=police, actor="police", report_submitted_date="2027-01-08")
    case.do("social_worker_report", report_shared_date="2027-01-07")
    shared = {
        r.kind: r.shared_with_parents_on for r in case.db.scalars(select(Report)) if r.submitted_on
    }
    assert shared["agency"] is None
    assert str(shared["social_worker"]) == "2027-01-07"
