"""API tokens for service accounts: made, listed, revoked, and checked on every API request.

A token acts as its service account, a User row with roles: every access rule of the pages
applies to it unchanged. The secret is shown once, at creation; only its digest is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.people import User, user_by_username
from engine.models.tokens import ApiToken, mark_used, token_check
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotFound

PREFIX = "cpc_"
USE_RECORDED_EVERY = timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create(
    session: Session,
    username: str,
    name: str,
    created_by: str,
    now: datetime,
    expires_at: datetime | None = None,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """A new token for the service account `username`; the secret is returned only here.
    It works until `expires_at` (None: until revoked)."""
    name = name.strip()
    if expires_at is not None and expires_at <= now:
        raise EngineError("A token must expire in the future.")
    if not name or len(name) > 120:
        raise EngineError("Give the token a name of up to 120 characters (what uses it).")
    user = user_by_username(session, username)
    if user is None:
        raise NotFound(f"There is no user called “{username}”.")
    if not user.service_account:
        raise EngineError(
            f"“{username}” is a person's account: API tokens are for service accounts "
            "(create one with `cpc create-user … --service-account`)."
        )
    if not user.active:
        raise EngineError(f"“{username}” is deactivated.")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction(session):
        token = ApiToken(
            user_id=user.id,
            name=name,
            digest=digest(secret),
            prefix=secret[: len(PREFIX) + 4],
            created_at=now,
            created_by=created_by,
            expires_at=expires_at,
        )
        session.add(token)
        session.flush()
        audit.record(
            session,
            actor,
            "token.created",
            now,
            token_id=token.id,
            user=username,
            expires_at=expires_at.isoformat() if expires_at else None,
        )
    return token, secret


def revoke(
    session: Session, token_id: int, revoked_by: str, now: datetime, actor: User | None = None
) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"There is no API token {token_id}.")
    if token.revoked_at is not None:
        raise EngineError(f"API token {token_id} was already revoked.")
    with transaction(session):
        token.revoked_at = now
        audit.record(session, actor, "token.revoked", now, token_id=token.id, by=revoked_by)
    return token


def authenticate(session: Session, secret: str, now: datetime) -> User | None:
    """The active service account this secret belongs to, or None (unknown, revoked or
    expired). Read afresh on every call: nothing of a token is kept between requests."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    found = token_check(session, digest(secret))
    if found is None or not found.usable(now):
        return None
    if not found.account_active or not found.service_account:
        return None
    if found.last_used_at is None or found.last_used_at < now - USE_RECORDED_EVERY:
        with transaction(session):
            mark_used(session, found.token_id, now, now - USE_RECORDED_EVERY)
    return found.user
