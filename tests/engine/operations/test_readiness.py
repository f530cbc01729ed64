"""Readiness sees a timer sweep that stopped moving although its process still beats."""

from datetime import timedelta

from engine.operations import readiness
from engine.operations import scheduler as scheduling
from engine.platform import settings
from tests.engine.operations.test_scheduler import make

OUTBOX = timedelta(minutes=30)


def scheduler_check(db, clock):
    db.expire_all()
    return readiness.check(db, clock.now(), OUTBOX, only=("scheduler",)).checks[-1]


def test_a_sweep_that_has_not_finished_a_batch_in_its_expected_time_is_not_ready(
    db, sessions, engine, clock
):
    tick = make(sessions, engine)
    tick.sweep_busy_since = clock.now()  # a sweep under way, as its heartbeat reports it
    tick.heartbeat()
    assert scheduler_check(db, clock).ok
    expected = scheduling.sweep_expected()
    assert expected == timedelta(seconds=60 + 2 * 50 * 2)  # the default 2 s budget
    clock.advance(seconds=expected.total_seconds() + 1)
    tick.heartbeat()  # the heartbeat thread still runs: only the sweep is stuck
    check = scheduler_check(db, clock)
    assert not check.ok
    assert check.detail.startswith("the timer sweep of ")
    assert f"has not finished a batch for {int(expected.total_seconds()) + 1} s" in check.detail
    with settings.using(expression_time_limit_seconds=10):
        assert scheduler_check(db, clock).ok  # a council with a longer budget waits longer


def test_a_finished_sweep_reports_no_busy_time(db, sessions, engine, clock):
    tick = make(sessions, engine)
    tick.sweep_timers()
    assert tick.sweep_busy_since is None
    tick.heartbeat()
    clock.advance(hours=1)
    tick.heartbeat()
    assert scheduler_check(db, clock).ok
