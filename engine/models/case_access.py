"""The queries behind case access: which children a person is connected to, and how.

The policy (which connection grants what) lives in `engine/access/access.py`; these are its SQL.
"""

from __future__ import annotations

from sqlalchemy import Exists, Select, and_, exists, literal, or_, select, union
from sqlalchemy.orm import Session

from engine.models.conferences import CasePerson, Conference, Invitation
from engine.models.instances import READY, HumanTask
from engine.models.people import Child, User
from engine.models.teams import Team, team_managers


def _through_tasks(user: User, child_id: int | None) -> list[Select]:
    """Children whose workflows hold a task for the person: theirs, done by them, or their pool.

    Three selects, not one with OR, so each reads its own index; each index ends with the
    task's child_id (copied from its instance), so no instance is opened.
    """
    in_pool = and_(
        HumanTask.state == READY,
        HumanTask.role.in_(sorted(user.roles)),
        HumanTask.assignee_id.is_(None),
    )
    conditions = (HumanTask.assignee_id == user.id, HumanTask.completed_by_id == user.id, in_pool)
    about = HumanTask.child_id.is_not(None) if child_id is None else HumanTask.child_id == child_id
    return [select(HumanTask.child_id).where(condition, about) for condition in conditions]


def connected_child_ids(user: User, team_wide: bool, child_id: int | None = None) -> Select:
    """Ids of the children this person is allocated to, chairs, is invited about or works on.

    With `child_id`, only that child's id (if connected): each part then starts from the
    child's own rows instead of every child the person is connected to.
    """

    def only(column, condition):
        query = select(column).where(condition)
        return query if child_id is None else query.where(column == child_id)

    parts = [
        only(Child.id, Child.social_worker_id == user.id),
        only(Conference.child_id, Conference.chair_id == user.id),
        only(CasePerson.child_id, CasePerson.user_id == user.id),
        *_through_tasks(user, child_id),
    ]
    if team_wide:
        # Their own team and every team an administrator made them a manager of.
        listed = (
            select(Team.name)
            .join(team_managers, team_managers.c.team_id == Team.id)
            .where(team_managers.c.user_id == user.id)
        )
        managed = User.team.in_(listed)
        if user.team:
            managed = or_(User.team == user.team, managed)
        colleague = select(User.id).where(managed)
        parts.append(only(Child.id, Child.social_worker_id.in_(colleague)))
    return union(*parts)


def connection(user: User, child_id: int, team_wide: bool) -> Exists:
    """EXISTS(the person is connected to this child): a condition, or a column of a statement
    that reads the child's row too (`access.child_and_level`), so one statement does both."""
    ids = connected_child_ids(user, team_wide, child_id).subquery()
    return exists().where(ids.c[0] == child_id)


def is_connected(session: Session, user: User, child_id: int, team_wide: bool) -> bool:
    return bool(session.scalar(select(literal(True)).where(connection(user, child_id, team_wide))))


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
