from datetime import date

import pytest

from engine.platform.workdays import (
    add_months,
    add_working_days,
    add_years,
    is_working_day,
    working_day_by,
    working_days_between,
)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # The example: Christmas, Boxing Day (substitute Mon 28th) and New Year's Day.
        (date(2026, 12, 18), 15, date(2027, 1, 13)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (date(2026, 4, 1), 1, date(2026, 4, 2)),
        (date(2026, 4, 2), 1, date(2026, 4, 7)),
        # Early May bank holiday (4 May 2026) and spring bank holiday (25 May 2026).
        (date(2026, 5, 1), 1, date(2026, 5, 5)),
        (date(2026, 5, 22), 1, date(2026, 5, 26)),
        # August bank holiday, 31 August 2026.
        (date(2026, 8, 28), 1, date(2026, 9, 1)),
        # Counting from a weekend: Saturday is day zero.
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
        # Backwards over a bank holiday: 2 working days before Tuesday 7 April 2026.
        (date(2026, 4, 7), -2, date(2026, 4, 1)),
        # A one-off day: the state funeral of Queen Elizabeth II, Monday 19 September 2022.
        (date(2022, 9, 16), 1, date(2022, 9, 20)),
        # The coronation bank holiday, Monday 8 May 2023.
        (date(2023, 5, 5), 1, date(2023, 5, 9)),
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, n, expected):
    assert add_working_days(start, n) == expected


def test_add_working_days_accepts_iso_strings():
    assert add_working_days("2026-12-18", 15) == date(2027, 1, 13)


def test_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2026, 12, 29))


def test_working_days_between_is_the_inverse_of_adding():
    start = date(2026, 12, 18)
    for n in range(0, 40):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2027, 1, 13), date(2026, 12, 18)) == -15


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 15), 6, date(2026, 9, 15)),
        (date(2026, 3, 15), -3, date(2025, 12, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, n, expected):
    assert add_months(start, n) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2009, 3, 1), 18, date(2027, 3, 1)),
        (date(2012, 2, 28), 18, date(2030, 2, 28)),
        # Born on 29 February: 17 until 28 February has ended, 18 on 1 March.
        (date(2012, 2, 29), 18, date(2030, 3, 1)),
        (date(2012, 2, 29), 4, date(2016, 2, 29)),  # a leap year has its own
        (date(2030, 3, 1), -18, date(2012, 3, 1)),
    ],
)
def test_add_years_gives_a_29_february_birthday_on_1_march_in_other_years(start, n, expected):
    assert add_years(start, n) == expected
    assert add_years(start.isoformat(), n) == expected


@pytest.mark.parametrize(
    "limit, expected",
    [
        (date(2027, 4, 11), date(2027, 4, 9)),  # Sunday: the Friday before
        (date(2027, 4, 9), date(2027, 4, 9)),  # a working day is itself
        (date(2027, 5, 3), date(2027, 4, 30)),  # Early May bank holiday, a Monday
        (date(2027, 3, 29), date(2027, 3, 25)),  # Easter Monday, after Good Friday
        ("2026-12-28", date(2026, 12, 24)),  # Boxing Day's substitute, then Christmas's
    ],
)
def test_working_day_by_is_the_last_working_day_on_or_before(limit, expected):
    assert working_day_by(limit) == expected


def test_the_uk_calendar_alone_gives_the_packages_england_and_wales_days():
    import holidays

    from engine.platform.workdays import _bank_holidays

    for year in range(2015, 2036):
        expected = holidays.country_holidays("GB", subdiv="ENG", years=year)
        assert _bank_holidays(year) == frozenset(expected), year


def test_working_days_load_no_other_countrys_calendar():
    """`country_holidays` imports all 270 countries: 8 MB in each gunicorn worker."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from engine.platform.workdays import add_working_days\n"
        "add_working_days('2026-12-18', 15)\n"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "[]"
