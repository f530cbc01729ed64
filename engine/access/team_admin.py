"""A system administrator's work on teams: add one, and choose who manages it.

A team manager manages their own team and every team they are listed for here, so one
manager can look after several (their children, overdue steps, escalations and waiting
steps). Each change is one transaction, audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.access.administration import require_admin
from engine.models import audit, teams
from engine.models.people import User
from engine.platform.db import transaction
from engine.platform.errors import NotFound

NAME_LIMIT = 120


def add(session: Session, actor: User, name: str, now: datetime) -> dict[str, str]:
    """A new team, or a message for the name ({} when added)."""
    require_admin(actor)
    name = " ".join(name.split())
    if not name or len(name) > NAME_LIMIT:
        return {"name": f"Enter the team's name (up to {NAME_LIMIT} characters)"}
    if teams.by_name(session, name) is not None:
        return {"name": f"There is already a team called “{name}”"}
    with transaction(session):
        teams.ensure(session, name)
        audit.record(session, actor, "team.created", now, team=name)
    return {}


def set_managers(
    session: Session, actor: User, team_id: int, user_ids: list[int], now: datetime
) -> dict[str, str]:
    """The team's listed managers become exactly these team managers."""
    require_admin(actor)
    team = session.get(teams.Team, team_id)
    if team is None:
        raise NotFound("There is no such team.")
    chosen = [session.get(User, u) for u in set(user_ids)]
    if any(u is None or not u.has_role(teams.TEAM_MANAGER) for u in chosen):
        return {f"managers-{team_id}": "Choose managers from the team managers listed"}
    with transaction(session):
        before = sorted(teams.listed_managers(session, team))
        teams.set_managers(session, team, [u.id for u in chosen])
        audit.record(
            session, actor, "team.managers_changed", now, team=team.name, before=before,
            after=sorted(u.id for u in chosen),
        )  # fmt: skip
    return {}
