"""The one source of "now" for the engine, injectable in tests.

SpiffWorkflow reads the wall clock directly inside its timer definitions and offers no hook.
`install()` points the timer module's `datetime` at a subclass whose `now()` asks the active
clock, so the engine's idea of time and the library's are always the same number: a sweep
that believes a timer is due will find SpiffWorkflow agrees.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def day_in_england(moment: datetime) -> date:
    """The calendar day a moment falls on in England, where statutory days are counted: between
    midnight and 1 a.m. in British Summer Time the UTC day is still the day before."""
    return moment.astimezone(LONDON).date()


class Clock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self):
        """Today's date in England, where the statutory days are counted."""
        return day_in_england(self.now())


class FixedClock(Clock):
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, **delta) -> datetime:
        self._at += timedelta(**delta)
        return self._at


SYSTEM = Clock()
_active: contextvars.ContextVar[Clock] = contextvars.ContextVar("cpc_clock", default=SYSTEM)


def current() -> Clock:
    return _active.get()


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Make `clock` the one SpiffWorkflow's timers read for the duration of the block."""
    token = _active.set(clock)
    try:
        yield clock
    finally:
        _active.reset(token)


class _ClockedDatetime(datetime):
    """`datetime` whose `now()` reads the active engine clock."""

    @classmethod
    def now(cls, tz=None):
        moment = _active.get().now()
        return moment.astimezone(tz) if tz is not None else moment.astimezone().replace(tzinfo=None)


def install() -> None:
    """Route SpiffWorkflow's timer clock through the engine clock (idempotent)."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockedDatetime
