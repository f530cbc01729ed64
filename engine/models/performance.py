"""The rows behind the managers' figures: held conferences, plans and overdue steps.

Each query takes the caller's access condition on a child-id column, so a team manager's
dashboard counts only the children they may see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from .conferences import ICPC, RCPC, Conference
from .instances import READY, RUNNING, HumanTask, ProcessInstance
from .people import Child, User
from .plans import Plan


def _where(query, condition):
    return query.where(condition) if condition is not None else query


def held_conferences(session: Session, kind: str, start: date, end: date, condition=None):
    """Conferences of a kind held within [start, end], with the child; oldest first."""
    query = (
        select(Conference, Child)
        .join(Child, Child.id == Conference.child_id)
        .where(Conference.kind == kind, Conference.held_on.between(start, end))
        .order_by(Conference.held_on, Conference.id)
    )
    return session.execute(_where(query, condition)).all()


def held_icpcs(session: Session, start: date, end: date, condition=None):
    return held_conferences(session, ICPC, start, end, condition)


def held_reviews(session: Session, start: date, end: date, condition=None):
    return held_conferences(session, RCPC, start, end, condition)


def plans_with_children(session: Session, condition=None):
    """Every plan of the children in view, with its child, in order of start per child."""
    query = (
        select(Plan, Child)
        .join(Child, Child.id == Plan.child_id)
        .order_by(Plan.child_id, Plan.started_on, Plan.id)
    )
    return session.execute(_where(query, condition)).all()


def plans_in_year(session: Session, start: date, end: date, condition=None):
    """Plans open at any time in [start, end] (the census year's plan items)."""
    query = (
        select(Plan, Child)
        .join(Child, Child.id == Plan.child_id)
        .where(Plan.started_on <= end, or_(Plan.ended_on.is_(None), Plan.ended_on >= start))
        .order_by(Child.reference, Plan.started_on)
    )
    return session.execute(_where(query, condition)).all()


def conferences_for_children(session: Session, child_ids: list[int]) -> list[Conference]:
    if not child_ids:
        return []
    query = select(Conference).where(Conference.child_id.in_(child_ids))
    return list(session.scalars(query.order_by(Conference.child_id, Conference.due_on)))


def overdue_steps(session: Session, today: date, condition=None):
    """Waiting steps past their due date: the task, its child, and the team that holds it.

    The team is the assignee's; for a pool task, the child's social worker's.
    """
    assignee = aliased(User)
    worker = aliased(User)
    team = func.coalesce(assignee.team, worker.team, "No team")
    query = (
        select(HumanTask, Child, team.label("team"))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Child, Child.id == ProcessInstance.child_id)
        .outerjoin(assignee, assignee.id == HumanTask.assignee_id)
        .outerjoin(worker, worker.id == Child.social_worker_id)
        .where(
            and_(
                HumanTask.state == READY,
                ProcessInstance.status == RUNNING,
                HumanTask.due_on < today,
            )
        )
        .order_by(HumanTask.due_on)
    )
    return session.execute(_where(query, condition)).all()
