"""The generated reviews tied to the plans they review, as the review diagram ties them.

A real review conference belongs to the child's plan (`conferences.plan_id`): the dashboard's
reviews figures and the national indicator on plans reviewed on time count each plan's
reviews through it. The generators write conferences and plans apart; without this every
review was nobody's, so those figures read no reviews at all, and SQLite's statistics, once
gathered, took `plan_id` for a column of one value.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from engine.models import Conference, Plan


def link_reviews_to_plans(session: Session) -> int:
    """Give each review the child's latest plan begun by its due date (none if the child had
    none yet); how many reviews have a plan."""
    plan = aliased(Plan)
    reviewed = (
        select(plan.id)
        .where(plan.child_id == Conference.child_id, plan.started_on <= Conference.due_on)
        .order_by(plan.started_on.desc(), plan.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(Conference).where(Conference.kind == "rcpc").values(plan_id=reviewed),
        execution_options={"synchronize_session": False},
    )
    linked = select(func.count()).where(Conference.plan_id.is_not(None))
    return session.scalar(linked.select_from(Conference))
