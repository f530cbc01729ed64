"""API tokens: a service account's bearer credentials, stored only as a SHA-256 digest.

The secret is 256 random bits, shown once when the token is made; a digest of such a secret
cannot be reversed or guessed, so a plain hash (not a slow password hash) is enough and keeps
every API request to one indexed lookup.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ForeignKey, Integer, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.people import User, UserRole


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until revoked

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        return usable(self.revoked_at, self.expires_at, now)


def usable(revoked_at: datetime | None, expires_at: datetime | None, now: datetime) -> bool:
    """Whether a token with these dates works at `now`: not revoked, and not yet expired."""
    return revoked_at is None and (expires_at is None or expires_at > now)


class TokenCheck(NamedTuple):
    """What checking a presented token needs, read fresh from one row: the token's id and
    dates, its account with the account's roles, and whether the account may use a token."""

    token_id: int
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    account_active: bool
    service_account: bool
    user: User

    def usable(self, now: datetime) -> bool:
        return usable(self.revoked_at, self.expires_at, now)


def token_check(session: Session, digest: str) -> TokenCheck | None:
    """The token with this digest as `TokenCheck` (None: no such token), in one round trip.

    The token itself is read as columns, not loaded as a row object: only its dates and id
    are needed, and nothing of it is kept between requests, so a revocation or an expiry
    tells on the very next one. The account comes once per role it holds (an outer join),
    and its roles are set as loaded: the request asks for them at once."""
    rows = session.execute(_BY_DIGEST, {"digest": digest}).all()
    if not rows:
        return None
    first = rows[0]
    roles = [row.UserRole for row in rows if row.UserRole is not None]
    set_committed_value(first.User, "role_rows", roles)
    return TokenCheck(*first[2:8], first.User)


# Built once: SQLAlchemy keeps a statement's cache key on the statement, so every API request
# reuses it instead of building the query and its key afresh (a third of the check's time).
_BY_DIGEST = (
    select(
        User,
        UserRole,
        ApiToken.id,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.active,
        User.service_account,
    )
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.digest == bindparam("digest"))
)


def tokens_of(session: Session, user_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).options(selectinload(ApiToken.user)).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def mark_used(session: Session, token_id: int, now: datetime, since: datetime) -> None:
    """Record use, at most once per interval (`since`): a read must not write every time."""
    session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id)
        .where((ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at < since))
        .values(last_used_at=now)
    )
