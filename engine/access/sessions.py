"""Sessions kept on the server, so they can be ended there.

The browser's cookie carries a random secret; the session is the `user_sessions` row with its
digest. A session ends when its person signs out, is deactivated, gets a new password or is
signed out everywhere by an administrator; it also lapses after `idle` without a request and
after `lifetime` in all, however busy. A copied cookie is worth nothing once its row ended.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.people import User
from engine.models.sign_ins import UserSession, end_sessions, mark_seen, session_by_digest
from engine.platform.db import transaction

# A request refreshes "last seen" at most this often: reading a page must not write each time.
SEEN_EVERY = timedelta(minutes=1)
SIGNED_OUT, ENDED_BY_ADMIN, DEACTIVATED, NEW_PASSWORD = (
    "signed out",
    "signed out everywhere",
    "deactivated",
    "new password",
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start(session: Session, user: User, now: datetime) -> str:
    """A new session for `user` (within the caller's transaction); its secret, for the cookie."""
    secret = secrets.token_urlsafe(32)
    session.add(
        UserSession(user_id=user.id, digest=_digest(secret), created_at=now, last_seen_at=now)
    )
    return secret


def current(
    session: Session, secret: str, now: datetime, idle: timedelta, lifetime: timedelta
) -> User | None:
    """The active person this session belongs to, or None: unknown, ended, idle too long,
    too old, or its person deactivated or a service account."""
    if not secret or len(secret) > 100:
        return None
    row = session_by_digest(session, _digest(secret))
    if row is None or row.ended_at is not None:
        return None
    if row.last_seen_at + idle <= now or row.created_at + lifetime <= now:
        return None
    user = row.user
    if not user.active or user.service_account:
        return None
    if row.last_seen_at + SEEN_EVERY <= now:
        with transaction(session):
            mark_seen(session, row.id, now)
    return user


def end(session: Session, secret: str, now: datetime) -> None:
    """Sign-out: this session only."""
    row = session_by_digest(session, _digest(secret)) if secret else None
    if row is not None and row.ended_at is None:
        with transaction(session):
            row.ended_at, row.ended_why = now, SIGNED_OUT
            audit.record(session, row.user, "user.signed_out", now)


def end_all(session: Session, user: User, now: datetime, why: str) -> int:
    """Every open session of `user`, within the caller's transaction; how many were open."""
    return end_sessions(session, user.id, now, why)
