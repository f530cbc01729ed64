"""The Children in Need census's plan items: one row per plan open in the census year."""

from datetime import date

import pytest

from engine.platform.errors import EngineError
from engine.reporting import census
from tests.factories import add_conference as conference
from tests.factories import add_plan as plan
from tests.factories import make_child, start_icpc


@pytest.fixture
def world(db, engine):
    staff, first, instance = start_icpc(db, engine)
    second = make_child(db, engine, staff["sw"], given="Noah", family="Bell")
    return staff, [first, second], instance


def test_the_census_lists_each_plan_open_in_the_year(db, world):
    staff, (amara, noah), instance = world
    conference(
        db,
        instance,
        amara,
        due_on=date(2026, 5, 4),
        held_on=date(2026, 5, 1),
        strategy_discussion_date=date(2026, 4, 13),
        s47_start_date=date(2026, 4, 14),
    )
    first = plan(db, amara, date(2026, 5, 1), category="EMO")
    conference(
        db,
        instance,
        amara,
        "rcpc",
        due_on=date(2026, 8, 1),
        held_on=date(2026, 7, 30),
        plan_id=first.id,
    )
    plan(db, noah, date(2024, 1, 1), date(2025, 3, 30))  # ended before the year began
    year = census.CensusYear.ending(2027)
    assert (year.start, year.end) == (date(2026, 4, 1), date(2027, 3, 31))
    assert census.CensusYear.containing(date(2026, 3, 31)).end == date(2026, 3, 31)
    rows = census.rows(db, year)
    assert len(rows) == 1
    row = dict(zip(census.HEADER, rows[0], strict=True))
    assert row["child_reference"] == amara.reference
    assert row["cpp_start_date"] == "2026-05-01" and row["cpp_end_date"] == ""
    assert row["initial_category_of_abuse"] == "EMO"
    assert row["icpc_date"] == "2026-05-01" and row["icpc_target_date"] == "2026-05-04"
    assert row["s47_start_date"] == "2026-04-14"
    assert row["review_dates"] == "2026-07-30"


@pytest.mark.parametrize("asked", [0, 1, 1999, 2028, 10**6])
def test_a_census_year_outside_the_range_is_refused_clearly(asked):
    with pytest.raises(EngineError, match="Choose a census year from 2000 to 2027"):
        census.census_year(asked, date(2026, 11, 23))


def test_no_year_means_the_one_today_falls_in():
    assert census.census_year(None, date(2026, 11, 23)) == census.CensusYear.ending(2027)
    assert census.census_year(2000, date(2026, 11, 23)) == census.CensusYear.ending(2000)
