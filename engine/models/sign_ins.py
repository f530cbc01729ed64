"""Signed-in sessions and failed sign-ins: the server's half of signing in.

A browser's cookie holds only a random secret; the session is the row whose digest matches
it, so ending the row (sign-out, deactivation, a new password, "sign out everywhere") ends the
session wherever the cookie was copied. Failed sign-ins are kept per client address and
username for the throttle; they are not audit (the audit trail has its own rows) and old ones
are deleted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.people import User


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(String(40))

    user: Mapped[User] = relationship()


class SignInFailure(Base):
    __tablename__ = "sign_in_failures"
    __table_args__ = (Index(None, "client", "at"), Index(None, "username", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


def session_by_digest(session: Session, digest: str) -> UserSession | None:
    """The session row, its user and the user's roles: one round trip per request."""
    query = (
        select(UserSession)
        .where(UserSession.digest == digest)
        .options(joinedload(UserSession.user).joinedload(User.role_rows))
    )
    return session.scalar(query)


def end_sessions(session: Session, user_id: int, now: datetime, why: str) -> int:
    """End every open session of one person; how many were open."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_why=why)
    )
    return result.rowcount


def open_session_count(session: Session, user_id: int, since: datetime) -> int:
    query = select(func.count(UserSession.id)).where(
        UserSession.user_id == user_id,
        UserSession.ended_at.is_(None),
        UserSession.last_seen_at >= since,
    )
    return session.scalar(query) or 0


def mark_seen(session: Session, session_id: int, now: datetime) -> None:
    session.execute(
        update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now)
    )


def failures_since(
    session: Session, since: datetime, client: str | None, username: str | None = None
) -> int:
    """Failed sign-ins since then from `client` (None: from anywhere), for `username` only
    when given."""
    query = select(func.count(SignInFailure.id)).where(SignInFailure.at > since)
    if client is not None:
        query = query.where(SignInFailure.client == client)
    if username is not None:
        query = query.where(SignInFailure.username == username)
    return session.scalar(query) or 0


def nth_latest_failure(
    session: Session, since: datetime, client: str, n: int, username: str | None = None
) -> datetime | None:
    """When the n-th most recent failure since then happened (its expiry frees one attempt)."""
    query = select(SignInFailure.at).where(SignInFailure.client == client, SignInFailure.at > since)
    if username is not None:
        query = query.where(SignInFailure.username == username)
    query = query.order_by(SignInFailure.at.desc()).offset(n - 1).limit(1)
    return session.scalar(query)


def forget_failures(
    session: Session, *, username: str | None = None, client: str | None = None, before=None
) -> None:
    """Clear failures: one username's (an administrator's unlock; from one client, a
    successful sign-in), or all older than `before` (housekeeping)."""
    query = delete(SignInFailure)
    if username is not None:
        query = query.where(SignInFailure.username == username)
    if client is not None:
        query = query.where(SignInFailure.client == client)
    if before is not None:
        query = query.where(SignInFailure.at < before)
    session.execute(query)
