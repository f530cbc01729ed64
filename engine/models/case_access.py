"""The queries behind case access: which children a person is connected to, and how.

The policy (which connection grants what) lives in `engine/access/access.py`; these are its SQL.
"""

from __future__ import annotations

from sqlalchemy import Exists, Select, and_, bindparam, exists, literal, select, union
from sqlalchemy.orm import Session

from engine.models.conferences import CasePerson, Conference, Invitation
from engine.models.instances import READY, HumanTask
from engine.models.people import Child, User
from engine.models.teams import Team, team_managers


def _through_tasks(user_id, roles, child_id) -> list[Select]:
    """Children whose workflows hold a task for the person: theirs, done by them, or their pool.

    Three selects, not one with OR, so each reads its own index; each index ends with the
    task's child_id (copied from its instance), so no instance is opened.
    """
    in_pool = and_(
        HumanTask.state == READY,
        HumanTask.role.in_(roles),
        HumanTask.assignee_id.is_(None),
    )
    conditions = (HumanTask.assignee_id == user_id, HumanTask.completed_by_id == user_id, in_pool)
    about = HumanTask.child_id.is_not(None) if child_id is None else HumanTask.child_id == child_id
    return [select(HumanTask.child_id).where(condition, about) for condition in conditions]


def connected_child_ids(user: User, team_wide: bool, child_id: int | None = None) -> Select:
    """Ids of the children this person is allocated to, chairs, is invited about or works on.

    With `child_id`, only that child's id (if connected): each part then starts from the
    child's own rows instead of every child the person is connected to.
    """
    return _connected(user.id, sorted(user.roles), user.team or None, team_wide, child_id)


def _connected(user_id, roles, team, team_wide: bool, child_id) -> Select:
    """`connected_child_ids` of values or of bound parameters (`_BOUND`): the same SQL."""

    def only(column, condition):
        query = select(column).where(condition)
        return query if child_id is None else query.where(column == child_id)

    parts = [
        only(Child.id, Child.social_worker_id == user_id),
        only(Conference.child_id, Conference.chair_id == user_id),
        only(CasePerson.child_id, CasePerson.user_id == user_id),
        *_through_tasks(user_id, roles, child_id),
    ]
    if team_wide:
        # Their own team and every team an administrator made them a manager of.
        listed = (
            select(Team.name)
            .join(team_managers, team_managers.c.team_id == Team.id)
            .where(team_managers.c.user_id == user_id)
        )
        # Two selects, not one with OR: the planner counts one team's workers from its
        # statistics (22 of 246), where an OR with a subquery guessed half of everyone and
        # read all the children instead of the team's from their index (0036).
        colleague = select(User.id).where(User.team.in_(listed))
        if team is not None:
            colleague = union(select(User.id).where(User.team == team), colleague)
        parts.append(only(Child.id, Child.social_worker_id.in_(colleague)))
    return union(*parts)


def connection(team_wide: bool, has_team: bool) -> Exists:
    """EXISTS(the person is connected to the child), of the bound parameters `user_id`,
    `roles`, `team` (`person`) and `child_id`: a condition, or a column of a statement that
    reads the child's row too (`child_query`). Built once per shape (whether the person
    sees their teams' children, and has a team), so a request reuses its cache key."""
    found = _CONNECTIONS.get((team_wide, has_team))
    if found is None:
        child_id = bindparam("child_id")
        team = bindparam("team") if has_team else None
        roles = bindparam("roles", expanding=True)
        ids = _connected(bindparam("user_id"), roles, team, team_wide, child_id).subquery()
        found = _CONNECTIONS[(team_wide, has_team)] = exists().where(ids.c[0] == child_id)
    return found


_CONNECTIONS: dict[tuple[bool, bool], Exists] = {}
_CHILD_QUERIES: dict[tuple, Select] = {}


def person(user: User) -> dict:
    """The bound values `connection` asks of the person."""
    return {"user_id": user.id, "roles": sorted(user.roles), "team": user.team}


def child_query(connected: tuple[bool, bool] | None, extra: tuple = ()) -> Select:
    """The child's row (bound `child_id`), with `connection(*connected)` as a column unless
    `connected` is None, then the `extra` columns: built once per shape. `extra` must be
    statements built once too (a module's constants), as they are part of the cache key."""
    key = (connected, extra)
    found = _CHILD_QUERIES.get(key)
    if found is None:
        columns = [] if connected is None else [connection(*connected).label("connected")]
        query = select(Child, *columns, *extra).where(Child.id == bindparam("child_id"))
        found = _CHILD_QUERIES[key] = query
    return found


def is_connected(session: Session, user: User, child_id: int, team_wide: bool) -> bool:
    query = _IS_CONNECTED.get((team_wide, bool(user.team)))
    if query is None:
        query = select(literal(True)).where(connection(team_wide, bool(user.team)))
        _IS_CONNECTED[(team_wide, bool(user.team))] = query
    return bool(session.scalar(query, {**person(user), "child_id": child_id}))


_IS_CONNECTED: dict[tuple[bool, bool], Select] = {}


def is_invited_to(session: Session, user: User, conference_id: int) -> bool:
    """True when the person was invited to this conference (as a professional with an account)."""
    query = (
        select(Invitation.id)
        .join(CasePerson, CasePerson.id == Invitation.person_id)
        .where(Invitation.conference_id == conference_id, CasePerson.user_id == user.id)
    )
    return session.scalar(query.limit(1)) is not None


def is_report_author(session: Session, user: User, report) -> bool:
    """True when the report was asked of this person (their own contribution): the person it
    was asked of is theirs. A name is not enough: a parent and an officer can share one."""
    if report.person_id is None:
        return False
    query = select(CasePerson.id).where(
        CasePerson.id == report.person_id, CasePerson.user_id == user.id
    )
    return session.scalar(query) is not None
