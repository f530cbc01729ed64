"""The managers' figures and the census extract, from conference and plan records."""

from datetime import date

import pytest

from engine.access import access
from engine.models.people import Child
from engine.platform.db import transaction
from engine.reporting import dashboard
from tests.factories import add_conference as conference
from tests.factories import add_family_conference, make_child, make_user, start_icpc
from tests.factories import add_plan as plan

TODAY = date(2026, 12, 1)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def world(db, engine):
    staff, first, instance = start_icpc(db, engine)
    siblings = [
        make_child(db, engine, staff["sw"], given=name, family="Bell") for name in ("Noah", "Ivy")
    ]
    return staff, [first, *siblings], instance


def build(db, user=None):
    condition = access.child_filter(user, Child.id) if user else None
    return dashboard.build(db, *YEAR, TODAY, condition)


def test_icpc_timeliness_by_child_and_by_conference(db, world):
    staff, (amara, noah, ivy), instance = world
    # Amara: on time from both clocks (15 working days after 2 March is 23 March).
    conference(
        db,
        instance,
        amara,
        due_on=date(2026, 3, 23),
        held_on=date(2026, 3, 23),
        strategy_discussion_date=date(2026, 3, 2),
        s47_start_date=date(2026, 3, 2),
    )
    # Noah and Ivy at one family conference: on time for Noah, a day late for Ivy's s47
    # clock. Amara's conference the same day, typed alike, is not theirs: no link joins it.
    group_id = add_family_conference(db, [noah, ivy])
    shared = {"held_on": date(2026, 3, 30), "group_id": group_id}
    typed_alike = {"scheduled_time": "10:00", "venue": "Room 1"}
    conference(
        db,
        instance,
        amara,
        due_on=date(2026, 3, 30),
        held_on=date(2026, 3, 30),
        **typed_alike,
        strategy_discussion_date=date(2026, 3, 9),
        s47_start_date=date(2026, 3, 9),
    )
    conference(
        db,
        instance,
        noah,
        due_on=date(2026, 3, 30),
        **shared,
        strategy_discussion_date=date(2026, 3, 9),
        s47_start_date=date(2026, 3, 9),
    )
    conference(
        db,
        instance,
        ivy,
        due_on=date(2026, 3, 30),
        **shared,
        strategy_discussion_date=date(2026, 3, 9),
        s47_start_date=date(2026, 3, 6),
    )
    board = build(db)
    by_child = board.figure("icpc_str_child")
    assert (by_child.met, by_child.total) == (4, 4)
    s47_child = board.figure("icpc_s47_child")
    assert (s47_child.met, s47_child.total, s47_child.percent) == (3, 4, 75.0)
    s47_conference = board.figure("icpc_s47_conference")
    assert (s47_conference.met, s47_conference.total) == (2, 3)
    late = [r for r in s47_child.rows if not r.met]
    assert [r.child.given_name for r in late] == ["Ivy"]
    march = next(b for b in board.icpc_months if b.month == date(2026, 3, 1))
    assert (march.met, march.total) == (4, 4)


def test_reviews_on_time_and_conferences_outside_the_period(db, world):
    staff, (amara, noah, ivy), instance = world
    for child, held in ((amara, date(2026, 6, 1)), (noah, date(2026, 6, 3))):
        conference(db, instance, child, "rcpc", due_on=date(2026, 6, 2), held_on=held)
    conference(
        db,
        instance,
        ivy,
        due_on=date(2025, 3, 2),
        held_on=date(2025, 3, 2),
        strategy_discussion_date=date(2025, 2, 20),
    )
    board = build(db)
    reviews = board.figure("reviews_on_time")
    assert (reviews.met, reviews.total) == (1, 2)
    assert board.figure("icpc_str_child").total == 0
    assert board.figure("icpc_str_child").percent is None


def test_repeat_plans_open_plans_long_plans_and_unborn(db, world):
    staff, (amara, noah, ivy), instance = world
    plan(db, amara, date(2023, 1, 10), date(2025, 3, 1))  # lasted over 2 years, ended before
    plan(db, amara, date(2026, 2, 1), previous=1)  # repeat, within 2 years of the last
    plan(db, noah, date(2020, 1, 1), date(2021, 1, 1))
    plan(db, noah, date(2026, 5, 1), date(2026, 11, 1), previous=1)  # repeat, not within 2 years
    plan(db, ivy, date(2024, 11, 1), date(2026, 11, 30))  # ended in the year after 2+ years
    with transaction(db):
        ivy.date_of_birth, ivy.expected_date_of_birth = None, date(2027, 2, 1)
    plan(db, ivy, date(2026, 12, 15))
    board = build(db)
    assert (board.figure("repeat_ever").met, board.figure("repeat_ever").total) == (3, 3)
    # Noah's last plan ended over two years before this one began.
    assert [r.child.given_name for r in board.figure("repeat_2y").rows] == ["Amara", "Ivy"]
    assert board.figure("open_9").met == 1  # Amara's, open since February
    assert board.figure("open_12").met == 0
    ended = board.figure("ended_2y")
    assert (ended.met, ended.total) == (1, 2)
    assert [r.child.given_name for r in board.figure("unborn").rows] == ["Ivy"]


def test_overdue_steps_by_team_and_access(db, world):
    staff, children, instance = world
    on_the_day = dashboard.build(db, *YEAR, date(2026, 3, 3), None)
    assert on_the_day.overdue_by_team == []  # the strategy discussion is due on 3 March
    later = dashboard.build(db, *YEAR, date(2026, 12, 1), None)
    north = later.figure("overdue:North")
    assert north.met == 1 and north.rows[0].child.id == children[0].id
    assert "Record the strategy discussion" in north.rows[0].detail
    make_user(db, "tm_south", "team_manager", team="South")
    from engine.models.people import user_by_username

    south = dashboard.build(
        db,
        *YEAR,
        date(2026, 12, 1),
        access.child_filter(user_by_username(db, "tm_south"), Child.id),
    )
    assert south.overdue_by_team == []
