"""A runaway in one case's diagram fails that case's timer; every other case's timer fires."""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from engine.models import AuditEvent, Escalation, ProcessInstance, Timer
from engine.models.timers import FIRED
from engine.platform import settings
from engine.workflow import timers
from tests.factories import deploy_test_diagram, make_staff

END_OF_4_MARCH = datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # deadline("2026-03-04")
CASE = {"social_worker": "sw", "team_manager": "tm", "due_date": "2026-03-04"}


def test_one_runaway_timer_fails_while_a_hundred_others_fire_in_the_same_sweep(
    db, sessions, engine, clock
):
    staff = make_staff(db)
    deploy_test_diagram(db, "deadline")
    deploy_test_diagram(db, "runaway_timer")
    others = [engine.start(db, "deadline", staff["sw"], dict(CASE)).id for _ in range(100)]
    runaway = engine.start(db, "runaway_timer", staff["sw"], dict(CASE)).id
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))

    started = time.monotonic()
    with settings.using(expression_time_limit_seconds=0.2):
        result = timers.sweep(sessions, engine, "worker-a")
    took = time.monotonic() - started

    assert result.timers == 100 and result.instances == 100
    fired = (
        select(func.count())
        .select_from(Timer)
        .where(Timer.instance_id.in_(others), Timer.status == FIRED, Timer.fired_at == clock.now())
    )
    assert db.scalar(fired) == 100
    assert db.scalar(select(func.count()).select_from(Escalation)) == 100
    db.expire_all()
    row = db.get(ProcessInstance, runaway)
    assert row.timer_attempts == 1 and row.timer_failed_at is None  # backing off, as any failure
    assert row.lease_until == clock.now() + timers.backoff(1)
    assert row.timer_error.startswith(
        "The process could not continue: “Count for ever” (count): script over its limit"
    )
    assert "longer than the limit of 0.2 seconds" in row.timer_error
    failure = db.scalars(
        select(AuditEvent).where(
            AuditEvent.instance_id == runaway, AuditEvent.action == "timers.retrying"
        )
    ).one()
    assert failure.detail["element"] == "count"
    assert took < 20  # the runaway costs its budget (twice: in its batch, then alone), no more
