"""The dashboard's SQL-counted figures equal the figures `dashboard.build` counts from rows."""

import random
from datetime import date, timedelta

import pytest

from engine.access import access
from engine.models.people import Child, user_by_username
from engine.platform.db import transaction
from engine.platform.workdays import add_months, add_working_days
from engine.reporting import dashboard, dashboard_summary
from tests.factories import add_conference as conference
from tests.factories import add_family_conference, make_child, make_user, start_icpc
from tests.factories import add_plan as plan

TODAY = date(2026, 12, 1)
PERIODS = [
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2025, 12, 2), date(2026, 12, 1)),
    (date(2026, 3, 1), date(2026, 3, 31)),
]


def figures(board) -> list[tuple]:
    return [(f.key, f.label, f.met, f.total, f.unit, f.percent_of) for f in board.figures()]


def listed(figure) -> tuple:
    """A figure as its page shows it: its numbers, and each row's child, detail and mark."""
    rows = [
        (r.child.id, r.child.reference, r.child.full_name, r.detail, r.met) for r in figure.rows
    ]
    return figure.key, figure.label, figure.met, figure.total, rows


def bars(board) -> list[tuple]:
    return [(b.month, b.met, b.total) for b in board.icpc_months + board.review_months]


@pytest.fixture
def council(db, engine):
    """Children, some seen together as siblings, with ICPCs on and off time by either clock,
    reviews early and late, plans repeated, long, open and unborn, and overdue steps."""
    staff, first, instance = start_icpc(db, engine)
    rng = random.Random(11)
    children = [first] + [
        make_child(db, engine, staff["sw"], given=f"Child{i}", family=f"F{i % 4}")
        for i in range(11)
    ]
    with transaction(db):
        children[5].date_of_birth, children[5].expected_date_of_birth = None, date(2027, 2, 1)
    # Two families of three, each seen at one family conference on 30 March.
    groups = [add_family_conference(db, children[:3]), add_family_conference(db, children[3:6])]
    for n, child in enumerate(children):
        for _ in range(3):
            held = date(2025, 11, 1) + timedelta(days=rng.randint(0, 420))
            sibling_slot = {"scheduled_time": "10:00", "venue": "Room 1"} if n % 3 else {}
            began = held - timedelta(days=rng.randint(10, 30))
            conference(
                db,
                instance,
                child,
                ("icpc", "pre_birth", "transfer_in")[rng.randint(0, 2)],
                due_on=held,
                held_on=held if n % 3 else held.replace(day=1) + timedelta(days=n % 3),
                notified_date=began + timedelta(days=rng.randint(0, 5)),
                strategy_discussion_date=began if rng.random() < 0.8 else None,
                s47_start_date=began - timedelta(days=rng.randint(0, 3)),
                **sibling_slot,
            )
            conference(
                db,
                instance,
                child,
                "rcpc",
                due_on=held,
                held_on=rng.choice((held + timedelta(days=rng.choice((-5, 0, 0, 3))), None)),
            )
        # Siblings seen together on 30 March: in time for some of them only, by either clock.
        if n < 6:
            began = date(2026, 3, 7) + timedelta(days=n % 3)
            conference(
                db,
                instance,
                child,
                due_on=date(2026, 3, 30),
                held_on=date(2026, 3, 30),
                group_id=groups[n // 3],
                strategy_discussion_date=began,
                s47_start_date=began - timedelta(days=n % 2),
            )
        started = date(2022, 1, 1) + timedelta(days=rng.randint(0, 500))
        ended = started + timedelta(days=rng.choice((200, 800)))
        plan(db, child, started, ended)
        if n % 2:
            again = plan(db, child, ended + timedelta(days=rng.randint(30, 1200)), previous=1)
            for months in range(3, 40, 6):  # the plan's reviews: on time, late and missed
                due = add_months(again.started_on, months)
                late = (due + timedelta(days=4), None) if n % 4 == 3 else ()
                held = rng.choice((due, due - timedelta(days=2), *late))
                conference(db, instance, child, "rcpc", plan_id=again.id, due_on=due, held_on=held)
    return staff, children


@pytest.mark.parametrize("period", PERIODS)
def test_counted_figures_equal_the_figures_from_rows(db, council, period):
    full = dashboard.build(db, *period, TODAY, None)
    counted = dashboard_summary.build(db, *period, TODAY, None)
    assert figures(counted) == figures(full)
    assert bars(counted) == bars(full)
    assert any(f.met for f in full.figures())  # the data exercises the figures
    by_child, by_conference = full.figure("icpc_s47_child"), full.figure("icpc_s47_conference")
    assert by_conference.total < by_child.total  # siblings seen together count once
    assert all(f.rows == [] for f in counted.figures())
    for key in ("transfer_in_child", "reviews_on_time", "reviews_child")[
        : 3 * (period == PERIODS[0])
    ]:
        shown = full.figure(key)
        assert 0 < shown.met < shown.total, key  # the data has some on time and some not


def test_counted_figures_follow_the_access_filter(db, council):
    staff, children = council
    make_user(db, "tm_south", "team_manager", team="South")
    for user in (staff["sw"], user_by_username(db, "tm_south")):
        condition = access.child_filter(user, Child.id)
        full = dashboard.build(db, *PERIODS[0], TODAY, condition)
        counted = dashboard_summary.build(db, *PERIODS[0], TODAY, condition)
        assert figures(counted) == figures(full)
        assert bars(counted) == bars(full)


def test_plans_counted_by_date_equal_the_plans_counted_one_by_one(db, engine):
    """Many plans, so every plan figure has something to count: children with one to four
    plans (back to back, with gaps short and long, overlapping, still open), some with plans
    before our records, some unborn, started and ended before, in and after each period."""
    staff, _first, _instance = start_icpc(db, engine)
    rng = random.Random(5)
    plans = []
    for n in range(60):
        child = make_child(db, engine, staff["sw"], given=f"Planned{n}")
        if n % 9 == 0:
            with transaction(db):
                child.date_of_birth, child.expected_date_of_birth = None, date(2027, 3, 1)
        started = date(2022, 1, 1) + timedelta(days=rng.randint(0, 1400))
        for _ in range(rng.randint(1, 4)):
            ended = started + timedelta(days=rng.choice((90, 400, 730, 800, 1000)))
            still_open = ended > TODAY or rng.random() < 0.15
            plans.append((child, started, None if still_open else ended, int(n % 7 == 0)))
            if still_open:
                break
            started = ended + timedelta(days=rng.choice((-20, 1, 200, 700, 900)))
    rng.shuffle(plans)  # recorded out of order: a plan's place is by its start, not its id
    for child, started, ended, previous in plans:
        plan(db, child, started, ended, previous=previous)
    counted_plans = 0
    for period in [*PERIODS, (date(2023, 6, 1), date(2025, 5, 31))]:
        full = dashboard.build(db, *period, TODAY, None)
        counted = dashboard_summary.build(db, *period, TODAY, None)
        assert figures(counted) == figures(full), period
        plans = [
            f for f in full.figures() if f.key.startswith(("repeat", "open", "ended", "unborn"))
        ]
        counted_plans += sum(f.met for f in plans)
        assert all(f.total or f.met for f in plans), [(f.key, f.met) for f in plans]
    assert counted_plans > 100


@pytest.mark.parametrize("period", PERIODS)
def test_one_figure_alone_is_that_figure_of_the_whole_board(db, council, period):
    """The figure page reads only the records its figure counts: the same figure, the same
    children in the same order, as building every figure."""
    full = dashboard.build(db, *period, TODAY, None)
    for expected in full.figures():
        alone = dashboard.figure(db, expected.key, *period, TODAY, None)
        assert listed(alone) == listed(expected), expected.key
    assert sum(len(f.rows) for f in full.figures()) > 40  # the data has rows to compare
    assert dashboard.figure(db, "no_such_figure", *period, TODAY, None) is None
    assert dashboard.figure(db, "overdue:No such team", *period, TODAY, None) is None


def test_a_later_start_never_has_an_earlier_icpc_deadline():
    """The by-conference count relies on this: in time for the earliest clock among siblings
    means in time for all of them."""
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(800)]
    deadlines = [add_working_days(day, dashboard.ICPC_WORKING_DAYS) for day in days]
    assert deadlines == sorted(deadlines)


def test_a_manager_who_sees_every_child_counts_what_no_condition_counts(db, council):
    """Counting for someone who sees every child skips joining the children (issue 28): the
    figures are those counted with no condition, and a team's condition still narrows them."""
    sm = user_by_username(db, "sm")
    every = access.child_filter(sm, Child.id)
    for period in PERIODS:
        assert figures(dashboard_summary.build(db, *period, TODAY, every)) == figures(
            dashboard_summary.build(db, *period, TODAY, None)
        )
    make_user(db, "tm_south", "team_manager", team="South")
    south = access.child_filter(user_by_username(db, "tm_south"), Child.id)
    narrowed = dashboard_summary.build(db, *PERIODS[0], TODAY, south)
    assert sum(f.total for f in narrowed.figures()) < sum(
        f.total for f in dashboard_summary.build(db, *PERIODS[0], TODAY, every).figures()
    )
