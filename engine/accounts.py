"""Local accounts: create users with roles, check passwords (Argon2id)."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from . import roles
from .db import transaction
from .errors import EngineError
from .models import audit
from .models.people import NOTIFY_CHOICES, User, UserRole, user_by_username

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
) -> User:
    unknown = [r for r in role_keys if r not in roles.ROLES]
    if unknown:
        raise EngineError(f"Unknown roles: {', '.join(unknown)}")
    if user_by_username(session, username) is not None:
        raise EngineError(f"A user called “{username}” already exists.")
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        team=team,
        password_hash=hash_password(password) if password else None,
        role_rows=[UserRole(role=r) for r in role_keys],
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way)."""
    user = user_by_username(session, username.strip())
    stored = user.password_hash if user and user.active and user.password_hash else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if stored is not _DUMMY_HASH else None


def set_notify(session: Session, user: User, choice: str, now: datetime) -> None:
    """How this person hears about new tasks and reminders (escalations always go at once)."""
    if choice not in NOTIFY_CHOICES:
        raise EngineError("Choose how you want to hear about new tasks and reminders.")
    with transaction(session):
        user.notify = choice
        audit.record(session, user, "user.notifications_changed", now, notify=choice)
