"""Reviews on time, both ways the DfE's definitions allow, from the reviews due.

Per review: the reviews due in the period (`reviews_due`), held or never held, over which
those held by their due date. Per child: the children on a plan for three months or more at
the period's end whose reviews due by then were all on time. Each figure is made from rows
(with the children behind it, for its page) or from counts (for the dashboard); the tests
hold the two equal.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.models import reviews_due
from engine.models.people import NAME_COLUMNS, child_name
from engine.platform.workdays import add_months
from engine.reporting.figures import Figure, Row, day_text

BY_REVIEW = "Reviews held on time, of the reviews due"
BY_CHILD = "Children on a plan 3 months or more with every review on time"
CONTINUOUS_MONTHS = 3


def _child(values) -> object:
    return child_name(values[0], *values[-len(NAME_COLUMNS) :])


def _review_row(values) -> Row:
    _child_id, due, held, number = values[:4]
    what = f"Review {number or ''} due {day_text(due)}".replace("  ", " ")
    done = f"held {day_text(held)}" if held else "not held"
    return Row(_child(values), f"{what}, {done}", held is not None and held <= due)


def by_review(session: Session, start: date, end: date, today: date, condition) -> Figure:
    rows = [
        _review_row(values)
        for values in reviews_due.reviews_due(session, start, end, today, condition)
    ]
    return Figure("reviews_on_time", BY_REVIEW, sum(r.met for r in rows), len(rows), rows)


def _long_enough(started: date, end: date) -> bool:
    return add_months(started, CONTINUOUS_MONTHS) <= end


def by_child(session: Session, end: date, today: date, condition) -> Figure:
    rows = []
    for values in reviews_due.plans_reviewed(session, end, today, condition):
        started, late = values[1], values[2]
        if _long_enough(started, end):
            detail = f"On a plan since {day_text(started)}"
            detail += f"; {late} review(s) late or missed" if late else "; every review on time"
            rows.append(Row(_child(values), detail, not late))
    return Figure("reviews_child", BY_CHILD, sum(r.met for r in rows), len(rows), rows)


def due_counts(session: Session, start: date, end: date, today: date, condition):
    """(due date, how many, how many held by it) of the reviews due in [start, end]: read
    once for the period and the monthly bars together, each taking the days it covers."""
    return reviews_due.review_due_counts(session, start, end, today, condition)


def counted(session: Session, due, start: date, end: date, today: date, condition) -> list[Figure]:
    """Both figures as counts, without rows; `due`: `due_counts` rows covering [start, end]."""
    due = [row for row in due if start <= row[0] <= end]
    plans = [
        (n, int(all_on_time or 0))
        for started, n, all_on_time in reviews_due.plans_reviewed_counts(
            session, end, today, condition
        )
        if _long_enough(started, end)
    ]
    return [
        Figure(
            "reviews_on_time",
            BY_REVIEW,
            sum(int(on_time or 0) for _due, _n, on_time in due),
            sum(n for _due, n, _on_time in due),
            [],
        ),
        Figure(
            "reviews_child",
            BY_CHILD,
            sum(on_time for _n, on_time in plans),
            sum(n for n, _on_time in plans),
            [],
        ),
    ]


def month_counts(due, start: date, end: date):
    """(due date, on time, how many) of the reviews due in [start, end] (the monthly bars),
    from `due_counts` rows covering them."""
    return [(day, int(on_time or 0), n) for day, n, on_time in due if start <= day <= end]
