"""The day a moment falls on is England's day, not UTC's: the two differ for the first hour of
every day in British Summer Time, when a step done just after midnight would be dated the day
before."""

from __future__ import annotations

from datetime import UTC, date, datetime

from engine.platform.clock import FixedClock, day_in_england


def test_just_after_midnight_in_summer_is_the_new_day_in_england():
    moment = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # 00:30 on 15 July in London
    assert day_in_england(moment) == date(2026, 7, 15)
    assert FixedClock(moment).today() == date(2026, 7, 15)


def test_in_winter_the_day_in_england_is_the_utc_day():
    assert day_in_england(datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == date(2026, 1, 14)
    assert day_in_england(datetime(2026, 1, 15, 0, 30, tzinfo=UTC)) == date(2026, 1, 15)
