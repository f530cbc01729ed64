"""The dashboard's figures as counts only, aggregated in SQL, for the page and its CSV.

`dashboard.build` keeps the rows behind every figure so a manager can click through to the
children; loading every conference, plan and step of a council as objects to count them took
seconds. The page shows only the numbers, so this module asks the database for counts by date,
date pair or team (a few hundred rows at most) and applies the same rules to those. The
figures are the same as `dashboard.build`'s (the tests compare the two); their `rows` are
empty, and the figure page still uses `dashboard.build` for the children behind one figure.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from .dashboard import (
    Dashboard,
    Figure,
    MonthBar,
    PlanDates,
    _months,
    _plan_figures,
    _within,
)
from .models import performance
from .models.conferences import Conference

CLOCKS = (
    (Conference.strategy_discussion_date, "strategy_discussion_date", "strategy discussion"),
    (Conference.s47_start_date, "s47_start_date", "section 47 start"),
)


def _icpc_figures(session: Session, start: date, end: date, condition) -> list[Figure]:
    figures = []
    for column, clock, label in CLOCKS:
        pairs = performance.icpc_clock_counts(session, column, start, end, condition)
        met = sum(n for held, began, n in pairs if _within(began, held))
        figures.append(
            Figure(
                f"icpc_{clock[:3]}_child",
                f"ICPCs within 15 working days of the {label}, by child",
                met,
                sum(n for _held, _began, n in pairs),
                [],
            )
        )
        meetings = performance.icpc_meeting_counts(session, column, start, end, condition)
        figures.append(
            Figure(
                f"icpc_{clock[:3]}_conference",
                f"ICPCs within 15 working days of the {label}, by conference",
                sum(n for held, first, n in meetings if _within(first, held)),
                sum(n for _held, _first, n in meetings),
                [],
                unit="conferences",
            )
        )
    return figures


def _review_figure(counts) -> Figure:
    return Figure(
        "reviews_on_time",
        "Reviews held on time",
        sum(int(on_time or 0) for _held, _n, on_time in counts),
        sum(n for _held, n, _on_time in counts),
        [],
    )


def _plan_figures_counted(session: Session, start: date, end: date, condition) -> list[Figure]:
    plans = [
        (PlanDates(r.child_id, r.started_on, r.ended_on, r.previous_plans, bool(r.unborn)), None)
        for r in performance.plan_dates(session, condition)
    ]
    figures = _plan_figures(plans, start, end)
    for figure in figures:
        figure.rows = []
    return figures


def _overdue_figures(session: Session, today: date, condition) -> list[Figure]:
    return [
        Figure(f"overdue:{team}", f"Overdue steps: {team}", n, 0, [], "steps", percent_of=False)
        for team, n in sorted(performance.overdue_counts(session, today, condition))
    ]


def _bars(months: list[date], counts) -> list[MonthBar]:
    """`counts`: (day, met, total); summed into the month each day falls in."""
    bars: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, met, total in counts:
        bar = bars[day.replace(day=1)]
        bar[0] += met
        bar[1] += total
    return [MonthBar(m, *bars.get(m, (0, 0))) for m in months]


def build(session: Session, start: date, end: date, today: date, condition=None) -> Dashboard:
    """Every figure of `dashboard.build` for [start, end], counted in SQL, without rows."""
    months = _months(end)
    column = CLOCKS[0][0]
    year_icpcs = performance.icpc_clock_counts(session, column, months[0], end, condition)
    year_reviews = performance.review_counts(session, months[0], end, condition)
    return Dashboard(
        start=start,
        end=end,
        groups={
            "Initial conferences": _icpc_figures(session, start, end, condition),
            "Reviews": [_review_figure(performance.review_counts(session, start, end, condition))],
            "Plans": _plan_figures_counted(session, start, end, condition),
        },
        overdue_by_team=_overdue_figures(session, today, condition),
        icpc_months=_bars(
            months,
            [(held, n if _within(began, held) else 0, n) for held, began, n in year_icpcs],
        ),
        review_months=_bars(
            months, [(held, int(on_time or 0), n) for held, n, on_time in year_reviews]
        ),
    )
