"""The figures councils are judged on, computed from conference and plan records.

Every figure keeps the rows behind it (child and a line of detail), so a manager can click
through from a percentage to the children it counts, and export either as CSV. `figure`
builds one figure with its rows for that page; the dashboard itself counts in SQL
(`dashboard_summary`), and `build`, every figure with its rows, is what tests hold both to.

- ICPCs (pre-birth ones included) within 15 working days, measured from the strategy
  discussion and from the s47 start; by child (one row per child) and by conference
  (a family conference, its siblings' rows joined by one conference group, counts once, and
  the meeting is on time only if it was on time for every child). Transfer-in conferences are
  counted apart, from the notification by the previous council.
- Reviews on time, over the reviews due in the period, and by child (`review_figures`).
- Repeat plans: plans started in the period that are a child's second or later, ever and
  within two years of the previous plan ending.
- Plans open 9, 12, 18 and 24 months or more at the period's end; plans ended in the period
  that lasted two years or more; unborn children on plans.
- Steps overdue now, by team.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy.orm import Session

from engine.models import performance, reviews_due
from engine.models.conferences import KINDS, PRE_BIRTH
from engine.models.people import NAME_COLUMNS, Child, child_name
from engine.models.plans import Plan
from engine.platform.workdays import add_months, add_working_days
from engine.reporting import review_figures
from engine.reporting.figures import Figure, MonthBar, Row
from engine.reporting.figures import day_text as _d

__all__ = ["Dashboard", "Figure", "MonthBar", "Row", "build", "figure"]

ICPC_WORKING_DAYS = 15
OPEN_MONTHS = (9, 12, 18, 24)
PLAN_LABELS = {  # the plan figures, in the order the dashboard shows them
    "repeat_ever": "Plans started that are a second or later plan",
    "repeat_2y": "Second or later plans within 2 years of the last",
    **{f"open_{m}": f"Plans open {m} months or more" for m in OPEN_MONTHS},
    "ended_2y": "Plans ended that lasted 2 years or more",
    "unborn": "Unborn children on plans",
}


@dataclass
class Dashboard:
    start: date
    end: date
    groups: dict[str, list[Figure]]
    overdue_by_team: list[Figure]
    icpc_months: list[MonthBar] = field(default_factory=list)
    review_months: list[MonthBar] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [f for group in self.groups.values() for f in group] + self.overdue_by_team

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures() if f.key == key), None)


class PlanDates(NamedTuple):
    """What the plan figures need of a plan: from a Plan and its Child, or from a row of
    `performance.plan_dates`. A tuple's fields are cheaper to read than a SQL row's, which
    counts when a figure reads every plan of the council."""

    child_id: int
    started_on: date
    ended_on: date | None
    previous_plans: int
    unborn: bool

    @classmethod
    def of(cls, plan: Plan, child: Child) -> PlanDates:
        return cls(
            plan.child_id,
            plan.started_on,
            plan.ended_on,
            plan.previous_plans,
            child.date_of_birth is None,
        )


class HeldConference(NamedTuple):
    """What the conference figures read of a held conference, from a row of
    `performance.held_conference_dates` (the same names as a Conference's)."""

    child_id: int
    held_on: date
    due_on: date
    review_number: int | None
    strategy_discussion_date: date | None
    s47_start_date: date | None
    id: int
    group_id: int | None
    notified_date: date | None
    kind: str


@lru_cache(maxsize=4096)
def _icpc_deadline(start: date) -> date:
    """15 working days on: computed once per start date, as thousands of ICPCs share dates."""
    return add_working_days(start, ICPC_WORKING_DAYS)


@lru_cache(maxsize=16384)
def _months_on(day: date, n: int) -> date:
    """`add_months` once per date and count: thousands of plans share their start dates."""
    return add_months(day, n)


def _within(start: date | None, held: date) -> bool | None:
    if start is None:
        return None
    return held <= _icpc_deadline(start)


# (key prefix, the clock's column, what it is, what is counted): the initial conferences'
# two clocks, and the transfer-in conferences' one, counted apart.
CLOCKS = (
    ("icpc_str", "strategy_discussion_date", "strategy discussion", "ICPCs"),
    ("icpc_s47", "s47_start_date", "section 47 start", "ICPCs"),
)
TRANSFER_CLOCKS = (("transfer_in", "notified_date", "notification", "Transfer-in conferences"),)


def _icpc_figures(icpcs, clocks=CLOCKS) -> list[Figure]:
    figures = []
    for prefix, clock, label, counted in clocks:
        rows, meetings = [], defaultdict(list)
        for conference, child in icpcs:
            start = getattr(conference, clock)
            met = _within(start, conference.held_on)
            if met is None:
                continue
            days = f"{_d(start)} to {_d(conference.held_on)}"
            kind = f"{KINDS[PRE_BIRTH]}: " if conference.kind == PRE_BIRTH else ""
            rows.append(Row(child, f"{kind}{label.capitalize()} {days}", met))
            # One family conference, or one child's conference: never text typed alike.
            key = (
                ("group", conference.group_id) if conference.group_id else ("alone", conference.id)
            )
            meetings[key].append(met)
        by_child = sum(r.met for r in rows)
        figures.append(
            Figure(
                f"{prefix}_child",
                f"{counted} within 15 working days of the {label}, by child",
                by_child,
                len(rows),
                rows,
            )
        )
        on_time = sum(all(m) for m in meetings.values())
        figures.append(
            Figure(
                f"{prefix}_conference",
                f"{counted} within 15 working days of the {label}, by conference",
                on_time,
                len(meetings),
                rows,
                unit="conferences",
            )
        )
    return figures


def _plan_figures(plans, start: date, end: date) -> list[Figure]:
    """`plans`: (plan dates, child) in order of start per child; the child is what the rows
    carry (a Child, or the plan's columns until `figure` has chosen the figure shown)."""
    last_plan: dict[int, PlanDates] = {}
    n, repeat, repeat_2y, long_ended, unborn = 0, [], [], [], []
    open_for = {months: [] for months in OPEN_MONTHS}
    for plan, child in plans:
        earlier = last_plan.get(plan.child_id)
        if start <= plan.started_on <= end:
            n += 1
            began = f"Plan started {_d(plan.started_on)}"
            if earlier is not None or plan.previous_plans > 0:
                repeat.append(Row(child, began, True))
            ended = earlier.ended_on if earlier else None
            if ended and ended >= _months_on(plan.started_on, -24):
                repeat_2y.append(Row(child, f"{began}; the last ended {_d(ended)}", True))
        last_plan[plan.child_id] = plan
        if plan.started_on <= end and (plan.ended_on is None or plan.ended_on > end):
            since = Row(child, f"Open since {_d(plan.started_on)}", True)  # one row, shared
            for months in OPEN_MONTHS:
                if _months_on(plan.started_on, months) <= end:
                    open_for[months].append(since)
            if plan.unborn:
                unborn.append(Row(child, f"Unborn; plan since {_d(plan.started_on)}", True))
        if plan.ended_on and start <= plan.ended_on <= end:
            lasted = _months_on(plan.started_on, 24) <= plan.ended_on
            long_ended.append(Row(child, f"{_d(plan.started_on)} to {_d(plan.ended_on)}", lasted))
    figures = [
        Figure("repeat_ever", PLAN_LABELS["repeat_ever"], len(repeat), n, repeat),
        Figure(
            "repeat_2y",
            PLAN_LABELS["repeat_2y"],
            len(repeat_2y),
            n,
            repeat_2y,
        ),
    ]
    figures += [
        Figure(f"open_{m}", PLAN_LABELS[f"open_{m}"], len(rows), 0, rows, percent_of=False)
        for m, rows in open_for.items()
    ]
    figures.append(
        Figure(
            "ended_2y",
            PLAN_LABELS["ended_2y"],
            sum(r.met for r in long_ended),
            len(long_ended),
            long_ended,
        )
    )
    figures.append(
        Figure("unborn", PLAN_LABELS["unborn"], len(unborn), 0, unborn, percent_of=False)
    )
    return figures


def _overdue_figures(steps, today: date) -> list[Figure]:
    teams: dict[str, list[Row]] = defaultdict(list)
    for task, child, team in steps:
        days = (today - task.due_on).days
        teams[team].append(
            Row(child, f"{task.title}: due {_d(task.due_on)} ({days} days ago)", True)
        )
    return [
        Figure(
            f"overdue:{team}",
            f"Overdue steps: {team}",
            len(rows),
            0,
            rows,
            unit="steps",
            percent_of=False,
        )
        for team, rows in sorted(teams.items())
    ]


def _months(end: date, count: int = 12) -> list[date]:
    first = end.replace(day=1)
    return [add_months(first, -n) for n in reversed(range(count))]


def _monthly(rows, when, met) -> list[MonthBar]:
    bars = {}
    for row in rows:
        month = when(row).replace(day=1)
        bar = bars.setdefault(month, [0, 0])
        bar[0] += bool(met(row))
        bar[1] += 1
    return bars


def build(session: Session, start: date, end: date, today: date, condition=None) -> Dashboard:
    """Every figure for the period [start, end], for the children `condition` lets through."""
    icpcs = performance.held_icpcs(session, start, end, condition)
    transfers = performance.held_transfers(session, start, end, condition)
    plans = performance.plans_with_children(session, condition)
    steps = performance.overdue_steps(session, today, condition)
    months = _months(end)
    year_icpcs = performance.held_icpcs(session, months[0], end, condition)
    icpc_by_month = _monthly(
        [r for r in year_icpcs if r[0].strategy_discussion_date],
        lambda r: r[0].held_on,
        lambda r: _within(r[0].strategy_discussion_date, r[0].held_on),
    )
    year_reviews = reviews_due.reviews_due(session, months[0], end, today, condition)
    review_by_month = _monthly(  # by the month each review fell due
        year_reviews, lambda r: r[1], lambda r: r[2] is not None and r[2] <= r[1]
    )
    return Dashboard(
        start=start,
        end=end,
        groups={
            "Initial conferences": _icpc_figures(icpcs),
            "Transfer-in conferences": _icpc_figures(transfers, TRANSFER_CLOCKS),
            "Reviews": [
                review_figures.by_review(session, start, end, today, condition),
                review_figures.by_child(session, end, today, condition),
            ],
            "Plans": _plan_figures(
                [(PlanDates.of(plan, child), child) for plan, child in plans], start, end
            ),
        },
        overdue_by_team=_overdue_figures(steps, today),
        icpc_months=[MonthBar(m, *icpc_by_month.get(m, (0, 0))) for m in months],
        review_months=[MonthBar(m, *review_by_month.get(m, (0, 0))) for m in months],
    )


def figure(
    session: Session, key: str, start: date, end: date, today: date, condition=None
) -> Figure | None:
    """One figure of `build`, with its rows, from only the records it counts: the page for
    one figure lists its children, and need not load every conference, plan and late step
    of the council to show them. Records are read as plain columns, made into tuples (cheaper
    to read than a SQL row's fields); the rows' children are `ChildName`s, made only
    for the figure asked for."""
    if key.startswith("overdue:"):
        figures = _overdue_figures(performance.overdue_steps(session, today, condition), today)
        return next((f for f in figures if f.key == key), None)
    if key == "reviews_on_time":
        return review_figures.by_review(session, start, end, today, condition)
    if key == "reviews_child":
        return review_figures.by_child(session, end, today, condition)
    if key.startswith("icpc_"):
        figures = _icpc_figures(_held(session, performance.INITIAL, start, end, condition))
    elif key.startswith("transfer_in"):
        held = _held(session, performance.TRANSFERS, start, end, condition)
        figures = _icpc_figures(held, TRANSFER_CLOCKS)
    else:  # the plans' figures, each from the plans it counts
        rows = performance.plan_dates(session, condition, _plans_counted(key, start, end))
        figures = _plan_figures(_records(PlanDates, rows), start, end)
    found = next((f for f in figures if f.key == key), None)
    if found is not None:  # each row's child is its record's columns until now
        found.rows = [row._replace(child=_child(row.child)) for row in found.rows]
    return found


def _plans_counted(key: str, start: date, end: date):
    """The plans a plan figure's rows come from, in the order of all plans: the repeat rules
    read each child's earlier plans, so every plan of a child who started one in the period;
    the long plans those ended in it; the open and unborn ones those open at its end. Every
    plan these leave out adds no row to that figure."""
    if key.startswith("repeat_"):
        return performance.plans_of_children_starting(start, end)
    if key == "ended_2y":
        return performance.plans_ended_in(start, end)
    return performance.plans_open_at(end)


def _held(session: Session, kinds, start: date, end: date, condition):
    """(conference, its columns) of the conferences of these kinds held in [start, end]."""
    rows = performance.held_conference_dates(session, kinds, start, end, condition)
    return _records(HeldConference, rows)


def _records(record: type[NamedTuple], rows) -> list[tuple]:
    """(record, the row's columns) of rows of the record's columns then `NAME_COLUMNS`."""
    fields = len(record._fields)
    return [(record._make(values[:fields]), values) for values in map(tuple, rows)]


def _child(columns: tuple):
    """A record's child from its columns: the child's id first, its name columns last."""
    return child_name(columns[0], *columns[-len(NAME_COLUMNS) :])
