"""Local accounts: create users with roles, check passwords (Argon2id), sign in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import passwords, roles, sessions, throttle
from engine.models import audit, teams
from engine.models.people import NOTIFY_CHOICES, User, UserRole, user_by_username
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed

_HASHER = PasswordHasher()
# Compared against when the username is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def create_user(
    session: Session,
    username: str,
    display_name: str,
    email: str,
    role_keys: list[str],
    password: str | None = None,
    team: str | None = None,
    service_account: bool = False,
) -> User:
    """A new account (within the caller's transaction). A person's password must pass the
    policy (`passwords`); a service account has none."""
    unknown = [r for r in role_keys if r not in roles.ROLES]
    if unknown:
        raise EngineError(f"Unknown roles: {', '.join(unknown)}")
    if user_by_username(session, username) is not None:
        raise EngineError(f"A user called “{username}” already exists.")
    if password and not service_account:
        passwords.require_good(password, username, display_name)
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        team=team,
        service_account=service_account,
        must_change_password=False,
        password_hash=hash_password(password) if password and not service_account else None,
        role_rows=[UserRole(role=r) for r in role_keys],
    )
    session.add(user)
    teams.ensure(session, team)  # a team named on an account is a team
    session.flush()
    return user


@dataclass
class SignedIn:
    """A person signed in, and the secret of their new session (for the cookie only)."""

    user: User
    session_secret: str


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way).

    Pure check, no bookkeeping: `sign_in` throttles and audits.
    """
    user = user_by_username(session, username.strip())
    stored = user.password_hash if user and user.active and user.password_hash else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if stored is not _DUMMY_HASH else None


def sign_in(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    client: str,
    via: str = "web",
    per_client: int = throttle.PER_CLIENT,
) -> SignedIn | None:
    """Check a password and start a session, or None; Throttled while this client must wait.

    Every attempt is audited (the username tried, never the password). A known and an unknown
    username are answered, counted and timed alike.
    """
    username = username.strip()
    try:
        throttle.check(session, client, username, now, per_client)
    except throttle.Throttled:
        with transaction(session):
            audit.record(
                session, None, "user.sign_in_throttled", now, username=username[:80], via=via
            )
        raise
    with transaction(session):
        found = authenticate(session, username, password)
        if found is None:
            audit.record(session, None, "user.sign_in_failed", now, username=username[:80], via=via)
            throttle.failed(session, client, username, now)
            return None
        throttle.succeeded(session, client, username)
        return _signed_in(session, found, now, via)


def _signed_in(session: Session, user: User, now: datetime, via: str) -> SignedIn:
    user.last_signed_in_at = now
    audit.record(session, user, "user.signed_in", now, via=via)
    return SignedIn(user, sessions.start(session, user, now))


def sign_in_external(session: Session, subject: str, now: datetime, via: str = "oidc") -> SignedIn:
    """The account for an identity the council's provider vouched for, by its subject.

    The subject (`oid` or `sub`) is the provider's immutable identifier; a username claim can
    be reassigned, so it never matches an account. An administrator links the subject to the
    account first (the user's page). Raises NotAllowed for anyone without an active account
    linked here: signing in to the council's network grants nothing in this service.
    """
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    with transaction(session):
        if user is None or not user.active or user.service_account:
            audit.record(session, user, "user.sign_in_failed", now, subject=subject[:255], via=via)
            refused = True
        else:
            signed_in = _signed_in(session, user, now, via)
            refused = False
    if refused:
        raise NotAllowed(
            "You have signed in to the council, but your council account is not linked to an "
            "account in this service. Ask an administrator to link it, quoting this "
            f"identifier: {subject}"
        )
    return signed_in


def sign_out(session: Session, secret: str, now: datetime) -> None:
    sessions.end(session, secret, now)


def change_password(
    session: Session, user: User, current: str, new: str, now: datetime
) -> tuple[SignedIn | None, dict[str, str]]:
    """A person chooses a new password: every session of theirs ends (a copied cookie with
    it) and a new one starts for the browser that asked. Or None and a message per field."""
    errors = {}
    if authenticate(session, user.username, current) is None:
        errors["current"] = "Enter your current password correctly"
    reason = passwords.problem(new, user.username, user.display_name)
    if reason is not None:
        errors["new"] = reason
    elif current and new == current:
        errors["new"] = "Choose a password different from your current one"
    if errors:
        return None, errors
    with transaction(session):
        user.password_hash = hash_password(new)
        user.must_change_password = False
        ended = sessions.end_all(session, user, now, sessions.NEW_PASSWORD)
        audit.record(session, user, "user.password_changed", now, sessions_ended=ended)
        return SignedIn(user, sessions.start(session, user, now)), {}


def set_notify(session: Session, user: User, choice: str, now: datetime) -> None:
    """How this person hears about new tasks and reminders (escalations always go at once)."""
    if choice not in NOTIFY_CHOICES:
        raise EngineError("Choose how you want to hear about new tasks and reminders.")
    with transaction(session):
        user.notify = choice
        audit.record(session, user, "user.notifications_changed", now, notify=choice)
