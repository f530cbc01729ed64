"""The query behind retention review: children whose last plan ended long enough ago."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from engine.models.instances import RUNNING, SUSPENDED, ProcessInstance
from engine.models.people import Child
from engine.models.plans import Plan


def last_plan_ended_before(session: Session, cutoff: date) -> list[tuple[Child, date]]:
    """Children with no open plan, no running workflow, and a last plan that ended by `cutoff`."""
    last_end = (
        select(Plan.child_id, func.max(Plan.ended_on).label("ended_on"))
        .group_by(Plan.child_id)
        .having(func.count() == func.count(Plan.ended_on))  # every plan has ended
        .subquery()
    )
    running = exists().where(
        and_(
            ProcessInstance.child_id == Child.id,
            ProcessInstance.status.in_((RUNNING, SUSPENDED)),
        )
    )
    query = (
        select(Child, last_end.c.ended_on)
        .join(last_end, last_end.c.child_id == Child.id)
        .where(last_end.c.ended_on <= cutoff, ~running)
        .order_by(last_end.c.ended_on, Child.reference)
    )
    return [(child, ended) for child, ended in session.execute(query)]
