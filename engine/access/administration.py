"""A system administrator's work on accounts: each change one transaction, audited.

Edit a person's name, email, roles and team; deactivate (every session ends at once) and
reactivate; let them try signing in again after the throttle held them (unlock); set a
temporary password they must change at the next sign-in; sign them out everywhere; and link
their council sign-in (OpenID Connect subject). Only administrators may do any of it.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import accounts, passwords, roles, sessions, throttle
from engine.access.accounts import hash_password
from engine.models import audit, teams
from engine.models.people import User, UserRole, user_by_username
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed, NotFound

ADMINISTRATOR = "administrator"


def require_admin(actor: User) -> None:
    if not actor.has_role(ADMINISTRATOR):
        raise NotAllowed("Only system administrators can manage accounts.")


def user(session: Session, actor: User, user_id: int) -> User:
    require_admin(actor)
    found = session.get(User, user_id)
    if found is None:
        raise NotFound("There is no such user.")
    return found


def _check_details(
    display_name: str, email: str, role_keys: list[str], team: str | None
) -> dict[str, str]:
    errors = {}
    if team and len(team.strip()) > 120:
        errors["team"] = "Enter a team name of up to 120 characters"
    if not display_name.strip() or len(display_name) > 200:
        errors["display_name"] = "Enter the person's name (up to 200 characters)"
    email = email.strip()
    if "@" not in email or " " in email or len(email) > 254:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    if not role_keys:
        errors["roles"] = "Choose at least one role"
    elif any(r not in roles.ROLES for r in role_keys):
        errors["roles"] = "Choose roles from the list"
    return errors


USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")


def create(
    session: Session,
    actor: User,
    username: str,
    display_name: str,
    email: str,
    role_keys: list[str],
    team: str | None,
    password: str | None,
    now: datetime,
    service_account: bool = False,
) -> tuple[User | None, dict[str, str]]:
    """A new account, or None and a message per wrong field. A person gets a temporary
    password to change at their first sign-in (or none, to sign in with the council's
    provider once linked); a service account gets API tokens instead."""
    require_admin(actor)
    username = username.strip().lower()
    errors = _check_details(display_name, email, role_keys, team)
    if not USERNAME.fullmatch(username):
        errors["username"] = (
            "Enter a username of lower-case letters, digits, dots, dashes or underscores"
        )
    elif user_by_username(session, username) is not None:
        errors["username"] = f"A user called “{username}” already exists"
    if password and not service_account:
        reason = passwords.problem(password, username, display_name)
        if reason:
            errors["password"] = reason
    if errors:
        return None, errors
    with transaction(session):
        created = accounts.create_user(
            session,
            username,
            display_name.strip(),
            email.strip(),
            sorted(set(role_keys)),
            password or None,
            (team or "").strip() or None,
            service_account=service_account,
        )
        created.must_change_password = bool(password) and not service_account
        audit.record(
            session,
            actor,
            "user.created",
            now,
            user=username,
            roles=sorted(set(role_keys)),
            team=created.team,
            service_account=service_account,
        )
    return created, {}


def update(
    session: Session,
    actor: User,
    target: User,
    display_name: str,
    email: str,
    role_keys: list[str],
    team: str | None,
    now: datetime,
) -> dict[str, str]:
    """Change a person's details; a message per wrong field (nothing saved), or {}."""
    require_admin(actor)
    errors = _check_details(display_name, email, role_keys, team)
    if not errors and target.id == actor.id and ADMINISTRATOR not in role_keys:
        errors["roles"] = "You cannot take the administrator role from yourself"
    if errors:
        return errors
    team = (team or "").strip() or None
    before = {"roles": sorted(target.roles), "team": target.team, "email": target.email}
    with transaction(session):
        target.display_name, target.email, target.team = display_name.strip(), email.strip(), team
        teams.ensure(session, team)
        if set(role_keys) != target.roles:
            target.role_rows = [UserRole(role=r) for r in sorted(set(role_keys))]
            session.flush()
        audit.record(
            session,
            actor,
            "user.changed",
            now,
            user=target.username,
            before=before,
            after={"roles": sorted(set(role_keys)), "team": team, "email": target.email},
        )
    return {}


def deactivate(session: Session, actor: User, target: User, now: datetime) -> int:
    """A leaver: no more sign-in, API use or email; every session ends now. How many did."""
    require_admin(actor)
    if target.id == actor.id:
        raise EngineError("You cannot deactivate your own account.")
    if not target.active:
        raise EngineError(f"{target.display_name} is already deactivated.")
    with transaction(session):
        target.active = False
        ended = sessions.end_all(session, target, now, sessions.DEACTIVATED)
        audit.record(
            session, actor, "user.deactivated", now, user=target.username, sessions_ended=ended
        )
    return ended


def reactivate(session: Session, actor: User, target: User, now: datetime) -> None:
    require_admin(actor)
    if target.active:
        raise EngineError(f"{target.display_name} is already active.")
    with transaction(session):
        target.active = True
        audit.record(session, actor, "user.reactivated", now, user=target.username)


def sign_out_everywhere(session: Session, actor: User, target: User, now: datetime) -> int:
    require_admin(actor)
    with transaction(session):
        ended = sessions.end_all(session, target, now, sessions.ENDED_BY_ADMIN)
        audit.record(
            session, actor, "user.signed_out_everywhere", now, user=target.username, ended=ended
        )
    return ended


def unlock(session: Session, actor: User, target: User, now: datetime) -> None:
    """Let every client try this username again at once (the throttle forgets it)."""
    require_admin(actor)
    with transaction(session):
        throttle.unlock(session, target.username)
        audit.record(session, actor, "user.unlocked", now, user=target.username)


def set_temporary_password(
    session: Session, actor: User, target: User, password: str, now: datetime
) -> None:
    """A password to tell the person once; they must choose their own at the next sign-in.
    Their sessions end: whoever had the old password is out."""
    require_admin(actor)
    if target.service_account:
        raise EngineError("A service account signs in with API tokens, not a password.")
    passwords.require_good(password, target.username, target.display_name)
    with transaction(session):
        target.password_hash = hash_password(password)
        target.must_change_password = True
        sessions.end_all(session, target, now, sessions.NEW_PASSWORD)
        throttle.unlock(session, target.username)
        audit.record(session, actor, "user.password_reset", now, user=target.username)


def link_identity(
    session: Session, actor: User, target: User, subject: str | None, now: datetime
) -> None:
    """Link (or, with None, unlink) the council sign-in whose immutable subject this is."""
    require_admin(actor)
    subject = (subject or "").strip() or None
    if subject is not None and len(subject) > 255:
        raise EngineError("The identifier is at most 255 characters.")
    if subject is not None:
        holder = session.scalar(select(User).where(User.oidc_subject == subject))
        if holder is not None and holder.id != target.id:
            raise EngineError(f"That council sign-in is already linked to {holder.username}.")
    with transaction(session):
        target.oidc_subject = subject
        action = "user.identity_linked" if subject else "user.identity_unlinked"
        audit.record(session, actor, action, now, user=target.username, subject=subject)
