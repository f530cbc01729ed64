"""Local accounts: create users with roles, check passwords (Argon2id)."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import roles
from engine.models import audit
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
        service_account=service_account,
        password_hash=hash_password(password) if password and not service_account else None,
        role_rows=[UserRole(role=r) for r in role_keys],
    )
    session.add(user)
    session.flush()
    return user


MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)


class AccountLocked(EngineError):
    def __init__(self, until: datetime):
        self.until = until
        super().__init__(
            "There have been too many attempts to sign in to this account. "
            "Try again in 15 minutes, or ask an administrator to unlock it."
        )


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same cost either way).

    Pure check, no bookkeeping: `sign_in` counts failures and locks the account.
    """
    user = user_by_username(session, username.strip())
    stored = user.password_hash if user and user.active and user.password_hash else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if stored is not _DUMMY_HASH else None


def sign_in(session: Session, username: str, password: str, now: datetime, via: str = "web"):
    """Check a password, counting failures: the fifth in a row locks the account 15 minutes.

    Every attempt is audited (the username tried, never the password). Raises AccountLocked
    while locked, even for the right password, so guessing cannot continue.
    """
    user = user_by_username(session, username.strip())
    if user is not None and user.locked_until is not None and user.locked_until > now:
        with transaction(session):
            audit.record(session, user, "user.sign_in_refused", now, reason="locked", via=via)
        raise AccountLocked(user.locked_until)
    with transaction(session):
        found = authenticate(session, username, password)
        if found is None:
            _count_failure(session, user, username, now, via)
            return None
        found.failed_sign_ins, found.locked_until = 0, None
        audit.record(session, found, "user.signed_in", now, via=via)
        return found


def _count_failure(session, user: User | None, username: str, now: datetime, via: str) -> None:
    audit.record(session, user, "user.sign_in_failed", now, username=username[:80], via=via)
    if user is None:
        return
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        user.locked_until, user.failed_sign_ins = now + LOCKOUT, 0
        audit.record(session, user, "user.locked", now, until=user.locked_until.isoformat())


def sign_in_external(
    session: Session, subject: str, username: str | None, now: datetime, via: str = "oidc"
) -> User:
    """The account for an identity the council's provider vouched for.

    Matched by the provider's subject once linked; the first time, by username (the claim the
    council maps to it), which links the two. Raises NotAllowed for anyone without an active
    account here: signing in to the council's network grants nothing in this service.
    """
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    with transaction(session):
        if user is None and username:
            candidate = user_by_username(session, username.strip().lower())
            if candidate is not None and candidate.oidc_subject is None:
                candidate.oidc_subject = subject
                audit.record(session, candidate, "user.identity_linked", now, via=via)
                user = candidate
        if user is None or not user.active:
            audit.record(
                session, user, "user.sign_in_failed", now, username=(username or "")[:80], via=via
            )
            refused = True
        else:
            user.failed_sign_ins, user.locked_until = 0, None
            audit.record(session, user, "user.signed_in", now, via=via)
            refused = False
    if refused:
        raise NotAllowed(
            "You have signed in to the council, but you do not have an account in this service. "
            "Ask an administrator to set one up."
        )
    return user


def unlock(session: Session, admin: User, user: User, now: datetime) -> None:
    with transaction(session):
        user.locked_until, user.failed_sign_ins = None, 0
        audit.record(session, admin, "user.unlocked", now, user=user.username)


def set_notify(session: Session, user: User, choice: str, now: datetime) -> None:
    """How this person hears about new tasks and reminders (escalations always go at once)."""
    if choice not in NOTIFY_CHOICES:
        raise EngineError("Choose how you want to hear about new tasks and reminders.")
    with transaction(session):
        user.notify = choice
        audit.record(session, user, "user.notifications_changed", now, notify=choice)
