"""The rows behind the managers' figures: held conferences, plans and overdue steps.

Each query takes the caller's access condition on a child-id column, so a team manager's
dashboard counts only the children they may see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.models.conferences import ICPC, PRE_BIRTH, RCPC, TRANSFER_IN, Conference
from engine.models.instances import READY, RUNNING, HumanTask, ProcessInstance
from engine.models.people import NAME_COLUMNS, Child, User, of_children
from engine.models.plans import Plan
from engine.models.teams import step_team

# The conferences the DfE counts as initial conferences: a pre-birth conference is an ICPC
# about an unborn child. A transfer-in conference is counted apart (its clock is the
# notification from the previous council, not a strategy discussion).
INITIAL = (ICPC, PRE_BIRTH)
TRANSFERS = (TRANSFER_IN,)


def _where(query, condition):
    return query.where(condition) if condition is not None else query


def _kinds(kind: str | tuple[str, ...]):
    return Conference.kind.in_((kind,) if isinstance(kind, str) else kind)


def held_conferences(session: Session, kind, start: date, end: date, condition=None):
    """Conferences of a kind (or kinds) held within [start, end], with the child; oldest
    first."""
    query = (
        select(Conference, Child)
        .join(Child, Child.id == Conference.child_id)
        .where(_kinds(kind), Conference.held_on.between(start, end))
        .order_by(Conference.held_on, Conference.id)
    )
    return session.execute(_where(query, condition)).all()


def held_conference_dates(session: Session, kind, start: date, end: date, condition=None):
    """What the figures read of `held_conferences`' rows, as plain columns ending with the
    child's name columns (`NAME_COLUMNS`) instead of the two objects: thousands of rows are
    cheaper to count and list this way."""
    query = (
        select(
            Conference.child_id,
            Conference.held_on,
            Conference.due_on,
            Conference.review_number,
            Conference.strategy_discussion_date,
            Conference.s47_start_date,
            Conference.id,
            Conference.group_id,
            Conference.notified_date,
            Conference.kind,
            *NAME_COLUMNS,
        )
        .join(Child, Child.id == Conference.child_id)
        .where(_kinds(kind), Conference.held_on.between(start, end))
        .order_by(Conference.held_on, Conference.id)
    )
    return session.execute(_where(query, condition)).all()


def held_icpcs(session: Session, start: date, end: date, condition=None):
    """Initial conferences held in [start, end], pre-birth ones included."""
    return held_conferences(session, INITIAL, start, end, condition)


def held_transfers(session: Session, start: date, end: date, condition=None):
    return held_conferences(session, TRANSFERS, start, end, condition)


def plans_with_children(session: Session, condition=None):
    """Every plan of the children in view, with its child, in order of start per child."""
    query = (
        select(Plan, Child)
        .join(Child, Child.id == Plan.child_id)
        .order_by(Plan.child_id, Plan.started_on, Plan.id)
    )
    return session.execute(_where(query, condition)).all()


def plans_in_year(session: Session, start: date, end: date, condition=None):
    """Plans open at any time in [start, end] (the census year's plan items), as plain rows
    with their child's identifiers: a council's year is thousands of plans, and rows cost a
    fraction of loading each plan and child as objects."""
    query = (
        select(
            Plan.id,
            Plan.started_on,
            Plan.ended_on,
            Plan.initial_category,
            Plan.latest_category,
            Plan.previous_plans,
            Child.id.label("child_id"),
            Child.reference,
            Child.date_of_birth,
            Child.expected_date_of_birth,
        )
        .join(Child, Child.id == Plan.child_id)
        .where(Plan.started_on <= end, or_(Plan.ended_on.is_(None), Plan.ended_on >= start))
        .order_by(Child.reference, Plan.started_on)
    )
    return session.execute(_where(query, condition)).all()


def reviews_held_in(session: Session, start: date, end: date, condition=None):
    """(plan id, date held) of the review conferences held in [start, end] on a plan
    (found by kind and date held, ix_conferences_kind_held_on)."""
    query = (
        select(Conference.plan_id, Conference.held_on)
        .join(Child, Child.id == Conference.child_id)
        .where(
            Conference.kind == RCPC,
            Conference.held_on.between(start, end),
            Conference.plan_id.is_not(None),
        )
        .order_by(Conference.plan_id, Conference.held_on)
    )
    return session.execute(_where(query, condition)).all()


def overdue_steps(session: Session, today: date, condition=None):
    """Waiting steps past their due date: the task, its child, and the team that holds it.

    The team is the assignee's; for a pool task, the child's social worker's.
    """
    assignee = aliased(User)
    worker = aliased(User)
    team = step_team(assignee, worker)
    query = (
        select(HumanTask, Child, team.label("team"))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Child, Child.id == HumanTask.child_id)
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


def _held_in(kinds, start: date, end: date):
    return (_kinds(kinds), Conference.held_on.between(start, end))


def icpc_counts(session: Session, start: date, end: date, condition=None, kinds=INITIAL):
    """(held_on, strategy discussion, section 47 start, notification, how many) of
    conferences of `kinds` (initial ones unless told) held in [start, end]. Whether a
    conference was in time depends only on its dates, so counting by them lets the caller
    apply the working-day rule once per date pair instead of once per child.
    """
    sd, s47 = Conference.strategy_discussion_date, Conference.s47_start_date
    notified = Conference.notified_date
    query = (
        select(Conference.held_on, sd, s47, notified, func.count())
        .where(*_held_in(kinds, start, end))
        .group_by(Conference.held_on, sd, s47, notified)
    )
    return session.execute(of_children(query, Conference.child_id, condition)).all()


# A conference that is no family conference's is a meeting of its own.
_alone = case((Conference.group_id.is_(None), Conference.id), else_=None)


def icpc_meeting_counts(session: Session, start: date, end: date, condition=None, kinds=INITIAL):
    """(held_on, earliest strategy discussion, earliest section 47 start, earliest
    notification, how many meetings) of meetings of `kinds` held in [start, end].

    A meeting is a family conference (the siblings' rows one conference group joins), or a
    child's conference alone: a real link, never venue and time typed alike. It is in time
    for every child exactly when it is in time for the earliest clock among them, as a later
    start never has an earlier deadline. (A clock none of them has is NULL: not counted.)
    """
    meetings = (
        select(
            Conference.held_on.label("held_on"),
            func.min(Conference.strategy_discussion_date).label("first_sd"),
            func.min(Conference.s47_start_date).label("first_s47"),
            func.min(Conference.notified_date).label("first_notified"),
        )
        .where(*_held_in(kinds, start, end))
        .group_by(Conference.held_on, Conference.group_id, _alone)
    )
    meetings = of_children(meetings, Conference.child_id, condition).subquery()
    firsts = (meetings.c.first_sd, meetings.c.first_s47, meetings.c.first_notified)
    query = select(meetings.c.held_on, *firsts, func.count()).group_by(meetings.c.held_on, *firsts)
    return session.execute(query).all()


def plan_dates(session: Session, condition=None, among=None):
    """Every plan's dates in order of start per child, its child's name columns
    (`NAME_COLUMNS`) last; columns, not the plan and child objects. `among` (a condition on
    `Plan`, as `plans_open_at` makes) reads only the plans one figure counts."""
    query = (
        select(
            Plan.child_id,
            Plan.started_on,
            Plan.ended_on,
            Plan.previous_plans,
            Child.date_of_birth.is_(None).label("unborn"),
            *NAME_COLUMNS,
        )
        .join(Child, Child.id == Plan.child_id)
        .order_by(Plan.child_id, Plan.started_on, Plan.id)
    )
    if among is not None:
        query = query.where(among)
    return session.execute(_where(query, condition)).all()


# Which plans a plan figure reads: a decade holds every plan ever made, and each figure needs
# only some of them (a repeat plan, every plan of the children who started one in the period,
# as the rule looks back along the child's plans).


def plans_open_at(end: date):
    """Plans open at the end of `end` (the figures of plans open so long, and unborn)."""
    return and_(Plan.started_on <= end, or_(Plan.ended_on.is_(None), Plan.ended_on > end))


def plans_ended_in(start: date, end: date):
    return Plan.ended_on.between(start, end)


def plans_of_children_starting(start: date, end: date):
    """Every plan of the children with a plan started in [start, end]."""
    started = aliased(Plan)
    return Plan.child_id.in_(select(started.child_id).where(started.started_on.between(start, end)))


def overdue_counts(session: Session, today: date, condition=None) -> list[tuple[str, int]]:
    """(team, how many) of the steps `overdue_steps` lists, counted by team. The child is the
    task's own copy of its instance's: the step and the instance's status are then read from
    the indexes of waiting steps and running instances (migration 0034) alone.

    The steps are counted by holder and child's social worker first, and only those few
    hundred pairs are given their team: naming a team for each of thousands of steps looked
    up two people a step."""
    pairs = (
        select(HumanTask.assignee_id, Child.social_worker_id, func.count().label("steps"))
        .select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Child, Child.id == HumanTask.child_id)
        .where(
            HumanTask.state == READY,
            ProcessInstance.status == RUNNING,
            HumanTask.due_on < today,
        )
        .group_by(HumanTask.assignee_id, Child.social_worker_id)
    )
    pairs = _where(pairs, condition).subquery()
    assignee = aliased(User)
    worker = aliased(User)
    team = step_team(assignee, worker)
    query = (
        select(team, func.sum(pairs.c.steps))
        .select_from(pairs)
        .outerjoin(assignee, assignee.id == pairs.c.assignee_id)
        .outerjoin(worker, worker.id == pairs.c.social_worker_id)
        .group_by(team)
    )
    return [(name, int(count)) for name, count in session.execute(query)]


def plan_start_counts(session: Session, start: date, end: date, condition=None):
    """(started_on, the previous plan's end, a repeat?, how many) of plans started in
    [start, end]: the previous plan is the child's one before it in order of start, and a
    plan is a repeat when there was one, or the child had plans before our records."""
    child_order = {"partition_by": Plan.child_id, "order_by": (Plan.started_on, Plan.id)}
    ranked = select(
        Plan.started_on,
        func.lag(Plan.ended_on, type_=Date).over(**child_order).label("previous_end"),
        or_(func.row_number().over(**child_order) > 1, Plan.previous_plans > 0).label("repeat"),
    )
    # Only the children who started a plan in the period: each keeps all its plans, so the
    # previous plan and the count are the same as over every child's.
    ranked = ranked.where(plans_of_children_starting(start, end))
    plans = of_children(ranked, Plan.child_id, condition).subquery()
    query = (
        select(plans.c.started_on, plans.c.previous_end, plans.c.repeat, func.count())
        .where(plans.c.started_on.between(start, end))
        .group_by(plans.c.started_on, plans.c.previous_end, plans.c.repeat)
    )
    return session.execute(query).all()


def plan_open_counts(session: Session, end: date, condition=None):
    """(started_on, how many, how many of them unborn) of plans open at the end of `end`."""
    unborn = func.sum(case((Child.date_of_birth.is_(None), 1), else_=0))
    query = (
        select(Plan.started_on, func.count(), unborn)
        .join(Child, Child.id == Plan.child_id)
        .where(Plan.started_on <= end, or_(Plan.ended_on.is_(None), Plan.ended_on > end))
        .group_by(Plan.started_on)
    )
    return session.execute(_where(query, condition)).all()


def plan_end_counts(session: Session, start: date, end: date, condition=None):
    """(started_on, ended_on, how many) of plans ended in [start, end]."""
    query = (
        select(Plan.started_on, Plan.ended_on, func.count())
        .where(Plan.ended_on.between(start, end))
        .group_by(Plan.started_on, Plan.ended_on)
    )
    return session.execute(of_children(query, Plan.child_id, condition)).all()
