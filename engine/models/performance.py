"""The rows behind the managers' figures: held conferences, plans and overdue steps.

Each query takes the caller's access condition on a child-id column, so a team manager's
dashboard counts only the children they may see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
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


# The dashboard page shows only counts, so these aggregate in SQL and return a row per
# distinct date (or date pair, or team), never a row per conference, plan or step.


def _icpcs_held(start: date, end: date, clock):
    return (
        Conference.kind == ICPC,
        Conference.held_on.between(start, end),
        clock.is_not(None),
    )


def icpc_clock_counts(session: Session, clock, start: date, end: date, condition=None):
    """(held_on, clock date, how many) of ICPCs held in [start, end] with that clock recorded.

    Whether a conference was in time depends only on the two dates, so counting by the pair
    lets the caller apply the working-day rule once per pair instead of once per child.
    """
    query = (
        select(Conference.held_on, clock, func.count())
        .join(Child, Child.id == Conference.child_id)
        .where(*_icpcs_held(start, end, clock))
        .group_by(Conference.held_on, clock)
    )
    return session.execute(_where(query, condition)).all()


def icpc_meeting_counts(session: Session, clock, start: date, end: date, condition=None):
    """(held_on, earliest clock date, how many meetings) of ICPC meetings held in [start, end].

    A meeting is the siblings seen together (same day, time, venue and chair); it is in time
    for every child exactly when it is in time for the earliest clock among them, as a later
    start never has an earlier deadline.
    """
    meetings = (
        select(Conference.held_on.label("held_on"), func.min(clock).label("first"))
        .join(Child, Child.id == Conference.child_id)
        .where(*_icpcs_held(start, end, clock))
        .group_by(
            Conference.held_on, Conference.scheduled_time, Conference.venue, Conference.chair_id
        )
    )
    meetings = _where(meetings, condition).subquery()
    query = select(meetings.c.held_on, meetings.c.first, func.count()).group_by(
        meetings.c.held_on, meetings.c.first
    )
    return session.execute(query).all()


def review_counts(session: Session, start: date, end: date, condition=None):
    """(held_on, how many, how many by their due date) of reviews held in [start, end]."""
    on_time = func.sum(case((Conference.held_on <= Conference.due_on, 1), else_=0))
    query = (
        select(Conference.held_on, func.count(), on_time)
        .join(Child, Child.id == Conference.child_id)
        .where(Conference.kind == RCPC, Conference.held_on.between(start, end))
        .group_by(Conference.held_on)
    )
    return session.execute(_where(query, condition)).all()


def plan_dates(session: Session, condition=None):
    """Every plan's dates, without the plan or child objects, in order of start per child."""
    query = (
        select(
            Plan.child_id,
            Plan.started_on,
            Plan.ended_on,
            Plan.previous_plans,
            Child.date_of_birth.is_(None).label("unborn"),
        )
        .join(Child, Child.id == Plan.child_id)
        .order_by(Plan.child_id, Plan.started_on, Plan.id)
    )
    return session.execute(_where(query, condition)).all()


def overdue_counts(session: Session, today: date, condition=None) -> list[tuple[str, int]]:
    """(team, how many) of the steps `overdue_steps` lists, counted by team."""
    assignee = aliased(User)
    worker = aliased(User)
    team = func.coalesce(assignee.team, worker.team, "No team")
    query = (
        select(team, func.count())
        .select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Child, Child.id == ProcessInstance.child_id)
        .outerjoin(assignee, assignee.id == HumanTask.assignee_id)
        .outerjoin(worker, worker.id == Child.social_worker_id)
        .where(
            HumanTask.state == READY,
            ProcessInstance.status == RUNNING,
            HumanTask.due_on < today,
        )
        .group_by(team)
    )
    return [(name, count) for name, count in session.execute(_where(query, condition))]
