"""A claimed batch fires in one transaction, or not at all and then one by one."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.orm.exc import StaleDataError

from engine.models import AuditEvent, Escalation, ProcessInstance, Timer
from engine.models.timers import FIRED, WAITING
from engine.platform.db import reusing
from engine.workflow import timers
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline


def due_cases(db, engine, clock, staff, count=3, failing=()):
    """`count` cases each with a timer due now; those at the `failing` places raise."""
    cases = [
        start_deadline(db, engine, staff, process_id="timer_fails" if n in failing else "deadline")
        for n in range(count)
    ]
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    return [c.id for c in cases]


def fired_audits(db) -> list[int]:
    query = select(AuditEvent.instance_id).where(AuditEvent.action == "timers.fired")
    return sorted(db.scalars(query))


def escalated(db) -> list[int]:
    return sorted(db.scalars(select(Escalation.instance_id)))


def statements_during(sessions):
    """The first words of each SQL statement sent, and each commit, while the block runs."""
    seen = []
    bind = sessions.kw["bind"]

    def statement(_conn, _cursor, sql, *_args):
        seen.append(" ".join(sql.split()[:2]))

    def commit(_conn):
        seen.append("COMMIT")

    event.listen(bind, "before_cursor_execute", statement)
    event.listen(bind, "commit", commit)

    def stop():
        event.remove(bind, "before_cursor_execute", statement)
        event.remove(bind, "commit", commit)

    return seen, stop


def test_a_batch_fires_every_claimed_case_once_in_a_few_statements(
    db, sessions, engine, clock, staff
):
    ids = due_cases(db, engine, clock, staff, count=6)
    claimed = timers.claim(sessions(), "a", clock.now(), 30, 10)
    seen, stop = statements_during(sessions)
    try:
        with sessions() as session:
            fired, left = engine.fire_batch(session, claimed, "a")
    finally:
        stop()
    assert fired == {i: 1 for i in ids} and left == []
    # The rows are read once for the batch (one at a time, each case reads them again).
    reads = [s for s in seen if s.startswith("SELECT process_instances.id")]
    assert len(reads) == 1
    assert seen.count("SELECT human_tasks.id,") == seen.count("SELECT timers.id,") == 1
    assert seen.count("COMMIT") == 1
    db.expire_all()
    assert fired_audits(db) == ids
    assert escalated(db) == ids
    for instance_id in ids:
        row = db.get(ProcessInstance, instance_id)
        assert (row.lease_owner, row.lease_until, row.timer_attempts) == (None, None, 0)
    assert timers.sweep(sessions, engine, "a").timers == 0  # never twice


def test_one_failing_case_rolls_the_batch_back_and_each_is_then_fired_alone(
    db, sessions, engine, clock, staff
):
    ids = due_cases(db, engine, clock, staff, count=4, failing={1})
    claimed = timers.claim(sessions(), "a", clock.now(), 30, 10)
    with sessions() as session, pytest.raises(Exception, match="division by zero"):
        engine.fire_batch(session, claimed, "a")
    db.expire_all()
    assert fired_audits(db) == [] and escalated(db) == []  # nothing of the batch was saved

    result = timers.fire_claimed(sessions, engine, claimed, "a")
    healthy = [i for n, i in enumerate(ids) if n != 1]
    assert (result.instances, result.timers) == (3, 3)
    db.expire_all()
    assert fired_audits(db) == healthy and escalated(db) == healthy
    failing = db.get(ProcessInstance, ids[1])
    assert failing.timer_attempts == 1 and "division by zero" in failing.timer_error


def test_a_lease_lost_within_the_batch_saves_nothing_of_it(db, sessions, engine, clock, staff):
    ids = due_cases(db, engine, clock, staff, count=3)
    claimed = timers.claim(sessions(), "slow", clock.now(), 30, 10)
    clock.advance(seconds=31)
    with sessions() as session:  # another worker takes the last case's expired lease over
        session.execute(
            update(ProcessInstance).where(ProcessInstance.id == ids[2]).values(lease_owner="fast")
        )
        session.commit()
    with sessions() as session, pytest.raises(timers.LeaseLost):
        engine.fire_batch(session, claimed, "slow")
    db.expire_all()
    assert fired_audits(db) == []
    timers.fire_claimed(sessions, engine, claimed, "slow")
    db.expire_all()
    assert fired_audits(db) == ids[:2]  # the third is the other worker's to fire
    assert db.get(ProcessInstance, ids[2]).lease_owner == "fast"


def test_a_case_saved_by_someone_else_meanwhile_rolls_the_whole_batch_back(
    db, sessions, engine, clock, staff, monkeypatch
):
    ids = due_cases(db, engine, clock, staff, count=3)
    claimed = timers.claim(sessions(), "a", clock.now(), 30, 10)
    hand_back = timers.hand_back

    def someone_saves_the_second_case(loaded):
        if loaded.id == ids[1]:
            with sessions() as other:
                other.execute(
                    update(ProcessInstance)
                    .where(ProcessInstance.id == loaded.id)
                    .values(lock_version=ProcessInstance.lock_version + 1)
                )
                other.commit()
        hand_back(loaded)

    monkeypatch.setattr(timers, "hand_back", someone_saves_the_second_case)
    with sessions() as session, pytest.raises(StaleDataError):
        engine.fire_batch(session, claimed, "a")
    db.expire_all()
    assert fired_audits(db) == []
    waiting = select(func.count()).select_from(Timer).where(Timer.status == WAITING)
    assert db.scalar(waiting) == 2 * len(ids)  # every case still waits for both its timers
    monkeypatch.setattr(timers, "hand_back", hand_back)
    assert timers.fire_claimed(sessions, engine, claimed, "a").timers == 3
    db.expire_all()
    assert fired_audits(db) == ids
    fired = select(func.count()).select_from(Timer).where(Timer.status == FIRED)
    assert db.scalar(fired) == len(ids)


def test_cases_with_nothing_due_or_not_running_are_left_for_one_by_one(
    db, sessions, engine, clock, staff
):
    ids = due_cases(db, engine, clock, staff, count=3)
    claimed = timers.claim(sessions(), "a", clock.now(), 30, 10)
    engine.suspend(db, ids[0], staff["tm"], "paused")
    with sessions() as session:
        fired, left = engine.fire_batch(session, claimed, "a")
    assert fired == {ids[1]: 1, ids[2]: 1} and left == [ids[0]]
    db.expire_all()
    assert db.get(ProcessInstance, ids[0]).lease_owner == "a"  # still ours until let go
    assert timers.fire_one(sessions, engine, ids[0], "a").timers == 0
    db.expire_all()
    assert db.get(ProcessInstance, ids[0]).lease_owner is None


@pytest.mark.parametrize("count", [1, 3])
def test_a_sweep_inside_a_session_that_holds_the_cases_sees_its_own_lease(
    db, engine, clock, staff, count
):
    """The claim writes the lease with a Core UPDATE; copies the session already holds (the
    demo loader and tests sweep inside their own session) are read afresh, not trusted."""
    ids = due_cases(db, engine, clock, staff, count=count)
    held = [db.get(ProcessInstance, i) for i in ids]
    assert all(row.lease_owner is None for row in held)
    result = timers.sweep(reusing(db), engine, "a")
    assert (result.instances, result.failed) == (count, [])
    assert fired_audits(db) == ids
