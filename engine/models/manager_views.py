"""The rows behind the managers' work views: who holds what, why it is late, what was
escalated to them, and their team's waiting steps.

The dashboard counts; these list the steps and people behind the counts, so a manager can
act. Each takes the caller's access condition on a child-id column, as `performance` does.
A step's team is its holder's, or for a step waiting in a pool, the child's social worker's.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from engine.models.conferences import Conference
from engine.models.instances import READY, RUNNING, HumanTask, ProcessInstance
from engine.models.people import Child, User
from engine.models.teams import NO_TEAM, names, step_team
from engine.models.timeliness import Escalation, LateStep

LIMIT = 500  # a view lists at most this many, most urgent first


def _where(query, condition):
    return query.where(condition) if condition is not None else query


def _waiting_steps(teams: list[str] | None, condition, *where, order) -> Select:
    """Waiting steps of running instances with their child, holder and team columns, at
    most LIMIT of them, in `order` (given the due date and id columns).

    At ten years a few thousand steps wait; a view lists 500. The steps are chosen first,
    read in due order from the waiting steps' index, each kept or passed over as it comes
    (its instance running, its team, the caller's access), so the scan stops at the 500th;
    only those are then joined to their holder, team and late reason. The instance's status
    is a per-step lookup, not a join: joined, the planner counts running instances as 2% of
    all and expects too few waiting steps to stop early, so it reads and sorts them all.
    """
    running = (
        select(literal(1))
        .where(ProcessInstance.id == HumanTask.instance_id, ProcessInstance.status == RUNNING)
        .correlate(HumanTask)
        .scalar_subquery()
    )
    chosen = (
        select(
            HumanTask.id.label("task_id"),
            HumanTask.title,
            HumanTask.due_on,
            HumanTask.escalation_level,
            HumanTask.role,
            HumanTask.instance_id,
            HumanTask.assignee_id,
            Child.id.label("child_id"),
            Child.reference,
            Child.given_name,
            Child.family_name,
            Child.social_worker_id,
        )
        .outerjoin(Child, Child.id == HumanTask.child_id)
        .where(HumanTask.state == READY, running.is_not(None), *where)
    )
    if teams is not None:
        chosen = chosen.where(_in_teams(teams))
    chosen = _where(chosen, condition).order_by(*order(HumanTask.due_on, HumanTask.id))
    chosen = chosen.limit(LIMIT).subquery()
    holder, worker = aliased(User), aliased(User)
    reason = (
        select(Conference.late_reason)
        .where(Conference.instance_id == chosen.c.instance_id)
        .order_by(Conference.id.desc())
        .limit(1)
        .correlate(chosen)
        .scalar_subquery()
    )
    shown = [c for c in chosen.c if c.key not in ("assignee_id", "social_worker_id")]
    return (
        select(
            *shown,
            holder.display_name.label("holder"),
            step_team(holder, worker).label("team"),
            reason.label("reason"),
        )
        .outerjoin(holder, holder.id == chosen.c.assignee_id)
        .outerjoin(worker, worker.id == chosen.c.social_worker_id)
        .order_by(*order(chosen.c.due_on, chosen.c.task_id))
    )


def _in_teams(teams: list[str]):
    """A step is a team's when its holder is in the team, or, held by no one or by someone
    of no team, when its child's social worker is: `step_team(...) IN teams`, put as sets of
    people so each step's holder needs no lookup."""
    members = select(User.id).where(User.team.in_(teams))
    teamless = select(User.id).where(User.team.is_(None))
    worker = Child.social_worker_id
    by_worker = worker.in_(members)
    if NO_TEAM in teams:
        by_worker = or_(by_worker, worker.is_(None), worker.in_(teamless))
    unteamed_holder = or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id.in_(teamless))
    return or_(HumanTask.assignee_id.in_(members), and_(unteamed_holder, by_worker))


def overdue_now(session: Session, today: date, team: str | None = None, condition=None):
    """Steps waiting past their due date, latest due last: child, holder, due, escalation
    level, the reason recorded on the conference (if any) and the team."""
    query = _waiting_steps(
        [team] if team else None,
        condition,
        HumanTask.due_on < today,
        order=lambda due, key: (due, key),
    )
    return session.execute(query).all()


def team_tasks(session: Session, teams: list[str], condition=None):
    """Every step waiting with these teams (a manager's several), soonest due first
    (undated last)."""
    query = _waiting_steps(
        teams,
        condition,
        order=lambda due, key: (due.asc().nulls_last(), key),
    )
    return session.execute(query).all()


def teams(session: Session) -> list[str]:
    return names(session)


def late_reasons(session: Session, start: date, end: date, condition=None):
    """(step, team, reason, how many) of the steps done late in [start, end] with a reason
    agreed, grouped; the team is the child's social worker's."""
    worker = aliased(User)
    team = func.coalesce(worker.team, NO_TEAM)
    query = (
        select(
            LateStep.step,
            team.label("team"),
            LateStep.reason,
            func.count(),
        )
        .outerjoin(Child, Child.id == LateStep.child_id)
        .outerjoin(worker, worker.id == Child.social_worker_id)
        .where(LateStep.done_on.between(start, end))
        .group_by(LateStep.step, team, LateStep.reason)
        .order_by(LateStep.step, team, LateStep.reason)
    )
    return session.execute(_where(query, condition)).all()


def escalations_to(session: Session, roles: set[str], condition=None):
    """(escalation, child, open?) of the escalations sent to any of these roles, open ones
    first, newest first within each. An escalation is done once the step's late reason was
    agreed or its workflow is no longer running."""
    agreed = exists().where(
        LateStep.instance_id == Escalation.instance_id, LateStep.step == Escalation.step
    )
    running = exists().where(
        ProcessInstance.id == Escalation.instance_id, ProcessInstance.status == RUNNING
    )
    still_open = and_(running, ~agreed).label("open")
    query = (
        select(Escalation, Child, still_open)
        .outerjoin(Child, Child.id == Escalation.child_id)
        .where(Escalation.role.in_(sorted(roles)))
        .order_by(still_open.desc(), Escalation.escalated_at.desc(), Escalation.id.desc())
        .limit(LIMIT)
    )
    return session.execute(_where(query, condition)).all()


def falling_due(session: Session, teams: list[str], start: date, end: date, condition=None):
    """(due date, what, child id, reference, given name, family name) of what falls due for
    these teams' children in [start, end], soonest first: conferences and core group
    meetings not yet held, and the steps waiting. The team is the child's social worker's."""
    from engine.models.conferences import KINDS
    from engine.models.plans import CoreGroupMeeting, Plan

    worker = aliased(User)
    who = (Child.id, Child.reference, Child.given_name, Child.family_name)

    def team_children(query):
        query = query.join(worker, worker.id == Child.social_worker_id)
        query = query.where(worker.team.in_(teams))
        return _where(query, condition)

    conferences = team_children(
        select(Conference.due_on, Conference.kind, Conference.review_number, *who)
        .join(Child, Child.id == Conference.child_id)
        .where(Conference.held_on.is_(None), Conference.due_on.between(start, end))
    )
    meetings = team_children(
        select(CoreGroupMeeting.due_on, CoreGroupMeeting.sequence, *who)
        .join(Plan, Plan.id == CoreGroupMeeting.plan_id)
        .join(Child, Child.id == Plan.child_id)
        .where(CoreGroupMeeting.held_on.is_(None), CoreGroupMeeting.due_on.between(start, end))
    )
    steps = team_children(
        select(HumanTask.due_on, HumanTask.title, *who)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .join(Child, Child.id == HumanTask.child_id)
        .where(HumanTask.state == READY, ProcessInstance.status == RUNNING)
        .where(HumanTask.due_on.between(start, end))
    )
    found = [
        (due, f"{KINDS.get(kind, kind)}{f' {number}' if number else ''} due", *rest)
        for due, kind, number, *rest in session.execute(conferences)
    ]
    found += [(due, f"Core group {n} due", *rest) for due, n, *rest in session.execute(meetings)]
    found += [(due, title, *rest) for due, title, *rest in session.execute(steps)]
    return sorted(found, key=lambda row: (row[0], row[3], row[1]))[:LIMIT]
