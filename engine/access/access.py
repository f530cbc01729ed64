"""Who may see which child's record: decided here, once, for pages, API, exports and email.

Staff see the children they are allocated to, chair, are invited about or hold a task for;
team managers also see their team's children; service managers and administrators see every
child. An agency professional sees only what they were invited for (level INVITED).
"""

from __future__ import annotations

from enum import Enum

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.case_access import (
    child_query,
    connected_child_ids,
    is_connected,
    is_invited_to,
    is_report_author,
    person,
)
from engine.models.conferences import Conference, Report
from engine.models.people import Child, User
from engine.models.withholding import keys_hidden_from_user
from engine.platform.db import transaction
from engine.platform.errors import NotAllowed, NotFound

SERVICE_WIDE = frozenset({"service_manager", "administrator"})
TEAM_WIDE = frozenset({"team_manager"})
AGENCY = "agency_professional"


class Level(Enum):
    """How much of a child's record a person may see."""

    FULL = "full"  # the whole record, as their role allows
    INVITED = "invited"  # an agency professional: the conferences and their own contributions


def sees_every_child(user: User) -> bool:
    return bool(user.roles & SERVICE_WIDE)


def level(session: Session, user: User, child_id: int) -> Level | None:
    """The person's access to one child's record, or None for no access at all."""
    if not _asks_connection(user):
        return _level(user, connected=False)
    team_wide = bool(user.roles & TEAM_WIDE)
    return _level(user, is_connected(session, user, child_id, team_wide=team_wide))


def _asks_connection(user: User) -> bool:
    """Whether the person's level depends on how they are connected to the child: not for
    an inactive account (no access) nor for someone who sees every child (full access)."""
    return bool(user.active) and not sees_every_child(user)


def _level(user: User, connected: bool) -> Level | None:
    """The policy: `connected` counts only when `_asks_connection`."""
    if not user.active:
        return None
    if sees_every_child(user):
        return Level.FULL
    if not connected:
        return None
    staff_roles = user.roles - {AGENCY}
    return Level.FULL if staff_roles else Level.INVITED


def can_view_child(session: Session, user: User, child_id: int | None) -> bool:
    return child_id is not None and level(session, user, child_id) is not None


def child_filter(user: User, column) -> ColumnElement[bool]:
    """A WHERE condition keeping rows whose `column` (a child id) this person may see."""
    if sees_every_child(user):
        return true()
    return column.in_(connected_child_ids(user, team_wide=bool(user.roles & TEAM_WIDE)))


def require_instance(session: Session, user: User, instance) -> None:
    """A workflow's record is its child's record: the same access applies."""
    if instance.child_id is not None:
        require_child(session, user, instance.child_id)
    elif not sees_every_child(user):
        raise NotAllowed("Only service managers can see workflows that belong to no child.")


def require_child(session: Session, user: User, child_id: int) -> tuple[Child, Level]:
    """The child and the person's level, or NotFound/NotAllowed with a message fit to show."""
    child, found, _ = child_and_level(session, user, child_id)
    return child, found


def child_and_level(
    session: Session, user: User, child_id: int, extra: tuple = (), **params
) -> tuple[Child, Level, tuple]:
    """`require_child`, with `extra` columns (scalar subqueries about the child, built once,
    of the bound `child_id` and `params`) read in the same statement as the child and the
    person's connection to it: one round trip where there were up to three. The extras are
    read before access is decided, so they are handed back only when the person has access."""
    asks = _asks_connection(user)
    if not asks and not extra:
        child, connected, values = session.get(Child, child_id), False, ()
    else:
        shape = (bool(user.roles & TEAM_WIDE), bool(user.team)) if asks else None
        bound = {**params, **(person(user) if asks else {}), "child_id": child_id}
        row = session.execute(child_query(shape, extra), bound).first()
        child = row[0] if row is not None else None
        connected = bool(row[1]) if row is not None and asks else False
        values = tuple(row[len(row) - len(extra) :]) if row is not None else ()
    if child is None:
        raise NotFound("There is no such child.")
    found = _level(user, connected)
    if found is None:
        raise NotAllowed("You do not have access to this child's record.")
    return child, found, values


def open_child(session: Session, user: User, child_id: int, now, what: str):
    """Require access to a child's record and audit the look, allowed or refused."""
    try:
        child, found = require_child(session, user, child_id)
    except NotAllowed:
        _audit(session, user, "child.access_refused", now, child_id, what)
        raise
    _audit(session, user, "child.viewed", now, child_id, what)
    return child, found


def open_instance(session: Session, user: User, instance, now, what: str) -> None:
    """Require access to a workflow's record (its child's) and audit the look."""
    try:
        require_instance(session, user, instance)
    except NotAllowed:
        _audit(session, user, "child.access_refused", now, instance.child_id, what, instance.id)
        raise
    _audit(session, user, "child.viewed", now, instance.child_id, what, instance.id)


def _audit(session, user, action, now, child_id, what, instance_id=None) -> None:
    with transaction(session):
        audit.record(
            session, user, action, now, child_id=child_id, instance_id=instance_id, what=what
        )


def require_conference(session: Session, user: User, conference_id: int):
    """A conference (its documents, reports, links) is its child's record; an agency
    professional (INVITED) reaches only the conferences they were invited to."""
    conference = session.get(Conference, conference_id)
    if conference is None:
        raise NotFound("There is no such conference.")
    _, found = require_child(session, user, conference.child_id)
    if found is Level.INVITED and not is_invited_to(session, user, conference.id):
        raise NotAllowed("You were not invited to this conference.")
    return conference, found


def require_conference_staff(session: Session, user: User, conference_id: int) -> Conference:
    """Staff work on a conference (sending the family a secure link): FULL access only."""
    conference, found = require_conference(session, user, conference_id)
    if found is not Level.FULL:
        raise NotAllowed("Only staff working on this child's case can do that.")
    return conference


def require_report(session: Session, user: User, report_id: int):
    """A report: anyone with FULL access to its conference; an agency professional only
    their own report (their contribution)."""
    report = session.get(Report, report_id)
    if report is None:
        raise NotFound("There is no such report.")
    _, found = require_conference(session, user, report.conference_id)
    if found is Level.INVITED and not is_report_author(session, user, report):
        raise NotAllowed("You can only see the report you were asked for.")
    conference = session.get(Conference, report.conference_id)
    if ("report", report.id, "summary") in keys_hidden_from_user(
        session, user, conference.child_id
    ):
        raise NotAllowed("This report is withheld from you.")
    return report, found
