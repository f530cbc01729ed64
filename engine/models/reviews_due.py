"""The review conferences that fell due in a period, held or never held.

Counting only the reviews that were held hides the ones that never were. A review is due in a
period when its due date falls in it, and it counts once it was held or its due date has
passed while its plan was still open: a review whose plan ended on or before its due date was
never needed, and one not yet due today cannot yet be late.

Each query takes the caller's access condition on a child-id column, as `performance` does.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from engine.models.conferences import RCPC, Conference
from engine.models.people import NAME_COLUMNS, Child, of_children
from engine.models.plans import Plan


def _where(query, condition):
    return query.where(condition) if condition is not None else query


def _counted(today: date):
    """A review that counts: held, or due before today while its plan was open."""
    plan_open_then = or_(Plan.ended_on.is_(None), Plan.ended_on > Conference.due_on)
    return and_(
        Conference.kind == RCPC,
        or_(Conference.held_on.is_not(None), and_(Conference.due_on < today, plan_open_then)),
    )


ON_TIME = and_(Conference.held_on.is_not(None), Conference.held_on <= Conference.due_on)


def _from_reviews(query):
    return query.join(Child, Child.id == Conference.child_id).outerjoin(
        Plan, Plan.id == Conference.plan_id
    )


def reviews_due(session: Session, start: date, end: date, today: date, condition=None):
    """(child id, due, held or None, review number, the child's `NAME_COLUMNS`) of the
    reviews due in [start, end], by due date."""
    query = _from_reviews(
        select(
            Conference.child_id,
            Conference.due_on,
            Conference.held_on,
            Conference.review_number,
            *NAME_COLUMNS,
        )
    ).where(_counted(today), Conference.due_on.between(start, end))
    query = query.order_by(Conference.due_on, Conference.id)
    return session.execute(_where(query, condition)).all()


def review_due_counts(session: Session, start: date, end: date, today: date, condition=None):
    """(due date, how many, how many held by it) of the reviews `reviews_due` lists."""
    on_time = func.sum(case((ON_TIME, 1), else_=0))
    query = (
        select(Conference.due_on, func.count(), on_time)
        .outerjoin(Plan, Plan.id == Conference.plan_id)
        .where(_counted(today), Conference.due_on.between(start, end))
        .group_by(Conference.due_on)
    )
    return session.execute(of_children(query, Conference.child_id, condition)).all()


def _late_reviews(end: date, today: date):
    """How many of each plan's reviews due by `end` were late or missed (a correlated
    subquery on `Plan`)."""
    late = select(func.count()).where(
        Conference.plan_id == Plan.id,
        Conference.kind == RCPC,
        Conference.due_on <= end,
        or_(
            and_(Conference.held_on.is_not(None), Conference.held_on > Conference.due_on),
            and_(Conference.held_on.is_(None), Conference.due_on < today),
        ),
    )
    return late.correlate(Plan).scalar_subquery()


def _open_at(end: date):
    return (Plan.started_on <= end, or_(Plan.ended_on.is_(None), Plan.ended_on > end))


def plans_reviewed(session: Session, end: date, today: date, condition=None):
    """(child id, plan start, how many reviews late or missed, the child's `NAME_COLUMNS`)
    of every plan open at the end of `end`, in order of start: the long-standing national
    indicator reads those open three months or more."""
    query = (
        select(Plan.child_id, Plan.started_on, _late_reviews(end, today), *NAME_COLUMNS)
        .join(Child, Child.id == Plan.child_id)
        .where(*_open_at(end))
        .order_by(Plan.started_on, Plan.id)
    )
    return session.execute(_where(query, condition)).all()


def plans_reviewed_counts(session: Session, end: date, today: date, condition=None):
    """(plan start, how many plans, how many with every review on time) of the plans
    `plans_reviewed` lists."""
    plans = select(
        Plan.started_on.label("started_on"), _late_reviews(end, today).label("late")
    ).join(Child, Child.id == Plan.child_id)
    plans = _where(plans.where(*_open_at(end)), condition).subquery()
    all_on_time = func.sum(case((plans.c.late == 0, 1), else_=0))
    query = select(plans.c.started_on, func.count(), all_on_time).group_by(plans.c.started_on)
    return session.execute(query).all()
