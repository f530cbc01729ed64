"""The dashboard's figures as counts only, aggregated in SQL, for the page and its CSV.

`dashboard.build` keeps the rows behind every figure so a manager can click through to the
children; loading every conference, plan and step of a council as objects to count them took
seconds. The page shows only the numbers, so this module asks the database for counts by date,
date pair or team (far fewer rows than records) and applies the same rules to those. The
figures are the same as `dashboard.build`'s (the tests compare the two); their `rows` are
empty; the figure page lists the children behind one figure with `dashboard.figure`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from engine.models import performance
from engine.reporting import review_figures
from engine.reporting.dashboard import (
    CLOCKS,
    OPEN_MONTHS,
    PLAN_LABELS,
    TRANSFER_CLOCKS,
    Dashboard,
    Figure,
    MonthBar,
    _months,
    _months_on,
    _within,
)

# Where each clock is in `performance.icpc_counts`' and `icpc_meeting_counts`' rows.
AT = {"strategy_discussion_date": 1, "s47_start_date": 2, "notified_date": 3}


def _icpc_figures(pairs, meetings, clocks=CLOCKS) -> list[Figure]:
    """`pairs`: `performance.icpc_counts` rows; `meetings`: `icpc_meeting_counts` rows."""
    figures = []
    for prefix, clock, label, counted in clocks:
        at = AT[clock]
        figures.append(
            Figure(
                f"{prefix}_child",
                f"{counted} within 15 working days of the {label}, by child",
                sum(row[-1] for row in pairs if row[at] and _within(row[at], row[0])),
                sum(row[-1] for row in pairs if row[at]),
                [],
            )
        )
        figures.append(
            Figure(
                f"{prefix}_conference",
                f"{counted} within 15 working days of the {label}, by conference",
                sum(row[-1] for row in meetings if row[at] and _within(row[at], row[0])),
                sum(row[-1] for row in meetings if row[at]),
                [],
                unit="conferences",
            )
        )
    return figures


def _plan_figures_counted(session: Session, start: date, end: date, condition) -> list[Figure]:
    """`dashboard._plan_figures`' counts from plans counted by start date (and the previous
    plan's end, or the end date): the month rules run once per date, not once per plan."""
    starts = performance.plan_start_counts(session, start, end, condition)
    begun = sum(n for _s, _p, _r, n in starts)
    repeat_2y = sum(
        n for started, previous_end, _r, n in starts
        if previous_end and previous_end >= _months_on(started, -24)
    )  # fmt: skip
    open_at_end = performance.plan_open_counts(session, end, condition)
    ended = performance.plan_end_counts(session, start, end, condition)
    return [
        Figure(
            "repeat_ever",
            PLAN_LABELS["repeat_ever"],
            sum(n for _s, _p, repeat, n in starts if repeat),
            begun,
            [],
        ),
        Figure(
            "repeat_2y",
            PLAN_LABELS["repeat_2y"],
            repeat_2y,
            begun,
            [],
        ),
        *[
            Figure(
                f"open_{months}",
                PLAN_LABELS[f"open_{months}"],
                sum(n for started, n, _u in open_at_end if _months_on(started, months) <= end),
                0,
                [],
                percent_of=False,
            )
            for months in OPEN_MONTHS
        ],
        Figure(
            "ended_2y",
            PLAN_LABELS["ended_2y"],
            sum(n for began, ended_on, n in ended if _months_on(began, 24) <= ended_on),
            sum(n for _b, _e, n in ended),
            [],
        ),
        Figure(
            "unborn",
            PLAN_LABELS["unborn"],
            sum(int(unborn or 0) for _s, _n, unborn in open_at_end),
            0,
            [],
            percent_of=False,
        ),
    ]


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
    """Every figure of `dashboard.build` for [start, end], counted in SQL, without rows.

    The monthly bars cover the 12 months to `end`: each count is read once over the period
    and those months together, and each figure takes the days it covers."""
    months = _months(end)
    first = min(start, months[0])
    icpcs = performance.icpc_counts(session, first, end, condition)
    meetings = performance.icpc_meeting_counts(session, start, end, condition)
    kinds = performance.TRANSFERS
    transfers = performance.icpc_counts(session, start, end, condition, kinds)
    transfer_meetings = performance.icpc_meeting_counts(session, start, end, condition, kinds)
    reviews = review_figures.due_counts(session, first, end, today, condition)

    def within_period(rows):
        return [row for row in rows if start <= row[0]]

    return Dashboard(
        start=start,
        end=end,
        groups={
            "Initial conferences": _icpc_figures(within_period(icpcs), meetings),
            "Transfer-in conferences": _icpc_figures(transfers, transfer_meetings, TRANSFER_CLOCKS),
            "Reviews": review_figures.counted(session, reviews, start, end, today, condition),
            "Plans": _plan_figures_counted(session, start, end, condition),
        },
        overdue_by_team=_overdue_figures(session, today, condition),
        icpc_months=_bars(
            months,
            [
                (held, n if _within(sd, held) else 0, n)
                for held, sd, _s47, _notified, n in icpcs
                if sd and held >= months[0]
            ],
        ),
        review_months=_bars(  # by the month each review fell due
            months, review_figures.month_counts(reviews, months[0], end)
        ),
    )
