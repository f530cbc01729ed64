"""Working days in England: Monday to Friday less England & Wales bank holidays.

Every statutory timescale in the brief counts working days unless it says months. Bank holidays
come from the maintained `holidays` package (subdivision ENG; Wales shares the same days), so
one-off days such as a state funeral arrive with a package upgrade, not a code change.
Dates in task data are ISO strings; these functions accept a `date` or an ISO string and
return the same kind they were given where that matters to the diagrams (see `expressions`).

Only the United Kingdom's calendar is loaded, from its own file: the package's usual way in
(`holidays.country_holidays("GB")`) imports every country's module first, 270 of them and
8 MB more in each gunicorn worker, since it happened at the worker's first working-day sum.
"""

from __future__ import annotations

import calendar
import importlib.util
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays


def _united_kingdom() -> type[holidays.HolidayBase]:
    """The package's UK calendar class, its module run on its own (its imports are the
    package's shared parts, never `holidays.countries`, whose `__init__` imports them all)."""
    folder = importlib.util.find_spec("holidays").submodule_search_locations[0]
    spec = importlib.util.spec_from_file_location(
        "holidays.countries.united_kingdom", f"{folder}/countries/united_kingdom.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.UnitedKingdom


_UNITED_KINGDOM = _united_kingdom()  # loaded at start, so gunicorn's workers share it


def as_date(value: date | str) -> date:
    """Read a date from a `date`, a `datetime` or an ISO `YYYY-MM-DD` string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"not a date: {value!r}")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(_UNITED_KINGDOM(subdiv="ENG", years=year))


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: date | str) -> bool:
    day = as_date(day)
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(start: date | str, n: int) -> date:
    """The date `n` working days after `start` (before it when `n` is negative).

    `start` itself is day zero whether or not it is a working day, as the guidance counts:
    15 working days after Friday 18 December 2026 is Wednesday 13 January 2027.
    """
    day = as_date(start)
    step = 1 if n >= 0 else -1
    remaining = abs(int(n))
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_day_by(limit: date | str) -> date:
    """The last working day on or before `limit`.

    A statutory limit counted in calendar months or weeks can fall at a weekend or on a bank
    holiday; nothing can be held then, and the limit must not be overshot, so the date due
    is the working day before: a review due by Sunday 11 April 2027 is due on Friday 9 April.
    """
    day = as_date(limit)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_days_between(start: date | str, end: date | str) -> int:
    """How many working days after `start` `end` falls (negative when `end` is earlier).

    The inverse of `add_working_days` for working days:
    `working_days_between(d, add_working_days(d, n)) == n`.
    """
    a, b = as_date(start), as_date(end)
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count


def add_months(start: date | str, n: int) -> date:
    """Calendar months, clamped to the month's last day (31 January + 1 month = 28/29 February).

    Reviews are "within 3 months" and "every 6 months": a clamped date never overshoots.
    """
    day = as_date(start)
    month_index = day.month - 1 + int(n)
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(start: date | str, n: int) -> date:
    """The same day `n` years on: a birthday. Someone born on 29 February has, in a year
    without one, the anniversary on 1 March: an age is reached when the anniversary begins
    (Family Law Reform Act 1969, s. 9), and until 28 February has ended they have not had it,
    so a child's 18th birthday, which ends their plan, never comes a day early."""
    day = as_date(start)
    year = day.year + int(n)
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)
