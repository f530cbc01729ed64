"""Readiness: can this deployment do its work now, and if not, what is wrong.

Four checks, each one small query: the database answers, its schema is at the newest
migration (a release deployed without `cpc db upgrade` would fail on the first page that
reads a new column), some scheduler process has reported in lately and none reports a timer
sweep that stopped moving (otherwise no timer fires: reminders and escalations stop without
anyone seeing an error), and no email has
waited too long (the mail server refuses, or nothing is sending). A load balancer and a
council's monitoring read the answer from `/readyz`; the details name the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.models.outbox import oldest_pending
from engine.models.scheduler import last_heartbeat, sweeps_busy_since
from engine.operations.scheduler import SILENT_AFTER, sweep_expected
from engine.platform import schema

CHECKS = ("database", "migrations", "scheduler", "outbox")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)


def check(session: Session, now: datetime, outbox_stuck_after: timedelta, only=CHECKS) -> Readiness:
    """Run the checks named in `only` (all by default); the database's always runs first.

    When the database is unreachable the others are marked unchecked. A load balancer asks
    for `database` and `migrations` only: a silent scheduler or a refusing mail server is
    for people to fix, and taking every web worker out of service would not help.
    """
    unknown = set(only) - set(CHECKS)
    if unknown:
        raise ValueError(f"no readiness check {sorted(unknown)[0]!r}; there are {CHECKS}")
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        session.rollback()
        unreachable = Check("database", False, f"unreachable ({type(exc).__name__})")
        unchecked = [Check(n, False, "not checked: no database") for n in CHECKS[1:] if n in only]
        return Readiness([unreachable, *unchecked])
    checks = [Check("database", True, "reachable")]
    for name, run in (
        ("migrations", _migrations),
        ("scheduler", lambda s: _scheduler(s, now)),
        ("outbox", lambda s: _outbox(s, now, outbox_stuck_after)),
    ):
        if name in only:
            checks.append(_guarded(session, name, run))
    return Readiness(checks)


def _guarded(session: Session, name: str, run: Callable[[Session], Check]) -> Check:
    """A check whose query fails (a table missing before migration) is red, not a crash."""
    try:
        return run(session)
    except SQLAlchemyError as exc:
        session.rollback()
        return Check(name, False, f"could not be read ({type(exc).__name__})")


def _migrations(session: Session) -> Check:
    current, head = schema.revision_of(session.connection()), schema.head_revision()
    if current == head:
        return Check("migrations", True, f"at {head}")
    return Check(
        "migrations", False, f"at {current or 'none'}, release needs {head}: run cpc db upgrade"
    )


def _scheduler(session: Session, now: datetime) -> Check:
    beat = last_heartbeat(session)
    if beat is None:
        return Check("scheduler", False, "no scheduler has run: timers and email are stopped")
    age = int((now - beat).total_seconds())
    if now - beat > SILENT_AFTER:
        return Check("scheduler", False, f"last heartbeat {age} s ago: timers are not firing")
    expected = sweep_expected()
    stuck = [
        p for p in sweeps_busy_since(session, now - expected) if now - p.beat_at <= SILENT_AFTER
    ]
    if stuck:
        waited = int((now - stuck[0].sweep_busy_since).total_seconds())
        return Check(
            "scheduler",
            False,
            f"the timer sweep of {stuck[0].host} (pid {stuck[0].pid}) has not finished a batch "
            f"for {waited} s (expected within {int(expected.total_seconds())} s): "
            "timers are waiting; see the Scheduler page",
        )
    return Check("scheduler", True, f"last heartbeat {max(age, 0)} s ago")


def _outbox(session: Session, now: datetime, stuck_after: timedelta) -> Check:
    oldest = oldest_pending(session)
    if oldest is None:
        return Check("outbox", True, "nothing waiting")
    waited = int((now - oldest).total_seconds())
    if now - oldest > stuck_after:
        return Check("outbox", False, f"an email has waited {waited} s: check the mail server")
    return Check("outbox", True, f"oldest email waiting {max(waited, 0)} s")
