"""The dates a step records, checked against each other and against the calendar.

A form knows one field at a time; these checks need the case (the date a conference was
booked for, the day its plan started, its due date). Each refusal names the form field at
fault and the date it conflicts with, so the person can put it right; nothing is saved.
"""

from __future__ import annotations

from datetime import date

from engine.platform import workdays
from engine.platform.errors import InvalidValue


def in_words(value: date) -> str:
    """A date as people write it: Monday 11 January 2027."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def booking_reason_needed(booked: date, due: date | None) -> str | None:
    """Why a booking needs the booker's reason (a non-working day, after its due date)."""
    if not workdays.is_working_day(booked):
        return f"{in_words(booked)} is not a working day"
    if due is not None and booked > due:
        return f"{in_words(booked)} is after the date the conference is due, {in_words(due)}"
    return None


def check_booking(booked: date, due: date | None, reason: str | None) -> None:
    needed = booking_reason_needed(booked, due)
    if needed and not (reason or "").strip():
        raise InvalidValue({"booking_reason": f"{needed}: say why it is booked for then"})


def check_held(held: date | None, booked: date | None) -> None:
    """A conference is not held before the day it was booked for: move the booking first."""
    if held is not None and booked is not None and held < booked:
        raise InvalidValue(
            {
                "held_date": "Date the conference was held must be on or after the date it "
                f"was booked for, {in_words(booked)}: reschedule the conference first"
            }
        )


def check_plan_start(held: date | None, core_group_held: date | None) -> None:
    """A conference that started a plan was held before the plan's first core group met."""
    if held is not None and core_group_held is not None and held > core_group_held:
        raise InvalidValue(
            {
                "held_date": "Date the conference was held must be on or before the day the "
                f"plan's first core group met, {in_words(core_group_held)}"
            }
        )


def check_core_group(held: date | None, plan_started: date | None) -> None:
    if held is not None and plan_started is not None and held < plan_started:
        raise InvalidValue(
            {
                "core_group_date": "Date of the core group meeting must be on or after the "
                f"day the plan started, {in_words(plan_started)}"
            }
        )


def check_shared(completed: date | None, shared: date | None) -> None:
    """A report is shared with the parents once it exists, not before."""
    if completed is not None and shared is not None and shared < completed:
        raise InvalidValue(
            {
                "report_shared_date": "Date the report was shared must be on or after the "
                f"date it was completed, {in_words(completed)}"
            }
        )
