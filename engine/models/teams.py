"""Teams and who manages them.

A person's own team is the name on their account (`users.team`); a team is a row here, so
administrators can list and name teams before anyone joins them, and a team manager can
manage several: their own team and any the administrator adds (`team_managers`). Everything
that asks which teams a manager looks after asks `managed_by`.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.people import User, UserRole, every_user

TEAM_MANAGER = "team_manager"
NO_TEAM = "No team"  # the team of a step whose holder and child's social worker have none


def step_team(holder, worker):
    """A waiting step's team, in SQL: its holder's, else (a pool step, or a holder of no
    team) its child's social worker's, else `NO_TEAM`. `holder` and `worker` are `User`
    aliases joined for the step. Every view and figure by team names a step's team so."""
    return func.coalesce(holder.team, worker.team, NO_TEAM)


team_managers = Table(
    "team_managers",
    Base.metadata,
    Column("team_id", ForeignKey("teams.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def names(session: Session) -> list[str]:
    """Every team, by name: the teams table and any name still only on an account."""
    listed = set(session.scalars(select(Team.name)))
    listed |= set(session.scalars(select(User.team).where(User.team.is_not(None)).distinct()))
    return sorted(listed)


def by_name(session: Session, name: str) -> Team | None:
    return session.scalar(select(Team).where(Team.name == name))


def ensure(session: Session, name: str | None) -> Team | None:
    """The team of this name, made if it is new (an account named it)."""
    if not name:
        return None
    team = by_name(session, name)
    if team is None:
        team = Team(name=name)
        session.add(team)
        session.flush()
    return team


def managed_by(session: Session, user: User) -> list[str]:
    """The teams this person manages: none unless they are a team manager; then their own
    team and every team an administrator made them a manager of."""
    if user is None or TEAM_MANAGER not in user.roles:
        return []
    query = (
        select(Team.name)
        .join(team_managers, team_managers.c.team_id == Team.id)
        .where(team_managers.c.user_id == user.id)
    )
    found = set(session.scalars(query))
    if user.team:
        found.add(user.team)
    return sorted(found)


def managers_of(session: Session, team: str) -> list[User]:
    """Active team managers of a team (named on it, or whose own team it is), oldest first."""
    listed = (
        select(team_managers.c.user_id)
        .join(Team, Team.id == team_managers.c.team_id)
        .where(Team.name == team)
    )
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == TEAM_MANAGER, User.active.is_(True))
        .where((User.team == team) | User.id.in_(listed))
        .order_by(User.id)
    )
    return list(session.scalars(query).unique())


def first_manager_name(session: Session, team: str) -> str | None:
    """The username of `managers_of(team)[0]`, or None: the one column a workflow's start
    data needs (`case_data.for_child`), read without loading the people."""
    return session.execute(_FIRST_MANAGER, {"team": team}).scalar()


# Built once, as `managers_of` asks but for the first's username only: every start reads it.
_users, _roles, _teams = User.__table__, UserRole.__table__, Team.__table__
_FIRST_MANAGER = (
    select(_users.c.username)
    .join(_roles, _roles.c.user_id == _users.c.id)
    .where(_roles.c.role == TEAM_MANAGER, _users.c.active.is_(True))
    .where(
        (_users.c.team == bindparam("team"))
        | _users.c.id.in_(
            select(team_managers.c.user_id)
            .join(_teams, _teams.c.id == team_managers.c.team_id)
            .where(_teams.c.name == bindparam("team"))
        )
    )
    .order_by(_users.c.id)
    .limit(1)
)


def set_managers(session: Session, team: Team, user_ids: list[int]) -> None:
    """The team's listed managers are exactly these people."""
    session.execute(delete(team_managers).where(team_managers.c.team_id == team.id))
    if user_ids:
        rows = [{"team_id": team.id, "user_id": u} for u in sorted(set(user_ids))]
        session.execute(insert(team_managers), rows)


def listed_managers(session: Session, team: Team) -> list[int]:
    query = select(team_managers.c.user_id).where(team_managers.c.team_id == team.id)
    return list(session.scalars(query))


class TeamView(NamedTuple):
    team: Team
    managers: list[User]
    members: list[User]


def overview(session: Session) -> list[TeamView]:
    """Each team with its active managers (listed, or whose own team it is) and the rest of
    its active people, by name."""
    people = [u for u in every_user(session) if u.active]
    listed: dict[int, set[int]] = {}
    for team_id, user_id in session.execute(select(team_managers)):
        listed.setdefault(team_id, set()).add(user_id)
    found = []
    for team in session.scalars(select(Team).order_by(Team.name)):
        managing = listed.get(team.id, set())
        managers = [
            u
            for u in people
            if u.has_role(TEAM_MANAGER) and (u.team == team.name or u.id in managing)
        ]
        members = [u for u in people if u.team == team.name and u not in managers]
        found.append(TeamView(team, managers, members))
    return found
