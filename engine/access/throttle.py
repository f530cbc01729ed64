"""The sign-in throttle: slow the guesser down, never lock the person guessed at.

Failed sign-ins are counted per client (its address) over a window: too many from one client,
for any usernames, or for one username from that client, and that client waits. Someone
signing in to the same account from elsewhere is not held up, so an attacker cannot keep a
named person out; and an unknown username counts exactly like a known one, so the answer
never tells which accounts exist. Successful sign-ins clear that client's count for the
username.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.models.sign_ins import (
    SignInFailure,
    failures_since,
    forget_failures,
    nth_latest_failure,
)
from engine.platform.errors import EngineError

WINDOW = timedelta(minutes=15)
PER_CLIENT = 20  # failures from one client, all usernames together, within the window
PER_CLIENT_AND_USERNAME = 5  # failures from one client for one username


class Throttled(EngineError):
    """Too many failed sign-ins from this client: the seconds to wait are `retry_after`."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            "There have been too many attempts to sign in from here. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )


def check(
    session: Session, client: str, username: str, now: datetime, per_client: int = PER_CLIENT
) -> None:
    """Raise Throttled when this client must wait before trying (this username) again.

    `per_client` is a setting: many people behind one council address share its count.
    """
    client, username, since = client[:64], username[:80], now - WINDOW
    for limit, name in ((per_client, None), (PER_CLIENT_AND_USERNAME, username)):
        if failures_since(session, since, client, name) >= limit:
            frees = nth_latest_failure(session, since, client, limit, name) + WINDOW
            raise Throttled(max(1, math.ceil((frees - now).total_seconds())))


def failed(session: Session, client: str, username: str, now: datetime) -> None:
    """Count a failure (within the caller's transaction); failures past the window go."""
    forget_failures(session, before=now - WINDOW)
    session.add(SignInFailure(client=client[:64], username=username[:80], at=now))


def succeeded(session: Session, client: str, username: str) -> None:
    forget_failures(session, username=username[:80], client=client[:64])


def unlock(session: Session, username: str) -> None:
    """An administrator lets every client try this username again."""
    forget_failures(session, username=username[:80])
