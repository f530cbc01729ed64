from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.messaging import outbox
from engine.models import Escalation, OutboxMessage, SchedulerProcess
from engine.models.people import DAILY_DIGEST
from engine.operations import scheduler as scheduling
from engine.platform.clock import LONDON
from engine.platform.db import transaction
from tests.engine.messaging.test_outbox import Recorder
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
from tests.factories import make_staff

BASE = "https://cpc.example.invalid"


@pytest.fixture
def staff(db):
    return make_staff(db)


def make(sessions, engine, transport=None):
    return scheduling.Scheduler(sessions, engine, transport or Recorder(), BASE, mode="test")


def test_one_tick_catches_up_timers_then_sends_the_mail_they_caused(
    db, sessions, engine, clock, staff
):
    start_deadline(db, engine, staff)
    transport = Recorder()
    tick = make(sessions, engine, transport)
    clock.set(END_OF_4_MARCH + timedelta(hours=9))
    summary = tick.run_once()
    assert summary == {
        "timers": 1,
        "instances": 1,
        "failed": 0,
        "digests": 0,
        "mail_sent": 1,
        "mail_deferred": 0,
    }
    assert [e.to for e in transport.sent] == ["tm@example.invalid"]
    assert db.scalars(select(Escalation)).one().level == 1
    beat = db.get(SchedulerProcess, tick.owner)
    assert (beat.mode, beat.timers_fired, beat.mail_sent, beat.beat_at) == (
        "test",
        1,
        1,
        clock.now(),
    )
    assert tick.run_once()["timers"] == 0


def test_the_digest_goes_once_a_day_after_the_council_time_whoever_runs_it(
    db, sessions, engine, clock, staff
):
    staff["sw"].notify = DAILY_DIGEST
    db.commit()
    with transaction(db):
        outbox.queue(
            db,
            kind="reminder",
            key="reminder:x",
            user=staff["sw"],
            subject="Due 4 March 2026: Do the step (DEADLINE-000001)",
            body="Due soon.",
            link="/tasks/x",
            instance_id=None,
            now=clock.now(),
        )
    first, second = make(sessions, engine), make(sessions, engine)
    clock.set(datetime(2026, 3, 3, 7, 29, tzinfo=LONDON))
    assert first.send_digest() == 0  # before 07:30 in London
    clock.set(datetime(2026, 3, 3, 7, 31, tzinfo=LONDON))
    assert first.send_digest() == 1
    assert second.send_digest() == 0  # the other process: today's digest is taken
    clock.advance(days=1)
    assert second.send_digest() == 0  # nothing held since
    digest = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).one()
    assert digest.to_user_id == staff["sw"].id
    assert "Due 4 March 2026: Do the step (DEADLINE-000001)" in digest.body


def test_heartbeats_record_each_process_and_forget_long_gone_ones(db, sessions, engine, clock):
    gone = SchedulerProcess(
        id="old:1:abc",
        host="old",
        pid=1,
        mode="app",
        started_at=clock.now() - timedelta(days=3),
        beat_at=clock.now() - timedelta(days=2),
    )
    db.add(gone)
    db.commit()
    tick = make(sessions, engine)
    tick.heartbeat()
    db.expire_all()
    rows = db.scalars(select(SchedulerProcess)).all()
    assert [r.id for r in rows] == [tick.owner]
    host, pid, _tag = tick.owner.split(":")
    assert (rows[0].host, rows[0].pid) == (host, int(pid))


def test_apscheduler_runs_the_four_jobs_until_shut_down(sessions, engine, clock):
    tick = make(sessions, engine)
    tick.intervals.sweep_seconds = 3600  # only the immediate first run happens here
    tick.start()
    try:
        assert tick.job_ids == [
            "heartbeat",
            "review_retention",
            "send_digest",
            "send_mail",
            "sweep_timers",
        ]
    finally:
        tick.shutdown()
    assert tick._aps.running is False


def test_owner_names_are_unique_per_process_start():
    first, second = scheduling.owner_name(), scheduling.owner_name()
    assert first != second
    assert first.rsplit(":", 1)[0] == second.rsplit(":", 1)[0]
