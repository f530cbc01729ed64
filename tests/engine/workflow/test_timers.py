from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from engine.models import AuditEvent, Escalation, HumanTask, OutboxMessage, ProcessInstance, Timer
from engine.models.timers import FIRED, WAITING, timers_of
from engine.platform.clock import FixedClock
from engine.platform.errors import ConcurrentUpdate, EngineError, NotAllowed
from engine.service import Engine
from engine.workflow import timers
from tests.factories import complete, deploy_test_diagram, ready

END_OF_4_MARCH = datetime(2026, 3, 5, 0, 0, tzinfo=UTC)  # deadline("2026-03-04"), GMT
END_OF_11_MARCH = datetime(2026, 3, 12, 0, 0, tzinfo=UTC)  # 5 working days later


def start_deadline(db, engine, staff, due_date="2026-03-04", process_id="deadline"):
    deploy_test_diagram(db, process_id)
    data = {"social_worker": "sw", "team_manager": "tm", "due_date": due_date}
    return engine.start(db, process_id, staff["sw"], data)


def sweep(sessions, engine, owner="worker-a", **kwargs):
    return timers.sweep(sessions, engine, owner, **kwargs)


def escalations(db, instance_id):
    query = select(Escalation).where(Escalation.instance_id == instance_id)
    return list(db.scalars(query))


def test_each_waiting_timer_is_a_row_with_its_due_moment(db, engine, staff):
    instance = start_deadline(db, engine, staff)
    rows = timers_of(db, instance.id)
    assert [(r.element, r.name, r.due_at, r.status) for r in rows] == [
        ("step_overdue", "Overdue", END_OF_4_MARCH, WAITING),
        ("step_expired", "Expired", END_OF_11_MARCH, WAITING),
    ]
    assert instance.next_timer_at == END_OF_4_MARCH


def test_a_non_interrupting_timer_escalates_and_leaves_the_step_open(
    db, sessions, engine, clock, staff
):
    instance = start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH)
    assert sweep(sessions, engine).timers == 0  # due at midnight: fires once it has passed
    clock.advance(seconds=1)
    result = sweep(sessions, engine)
    assert (result.instances, result.timers) == (1, 1)
    db.expire_all()
    assert list(ready(db, instance.id)) == ["step"]
    assert [(e.level, e.role) for e in escalations(db, instance.id)] == [(1, "team_manager")]
    mail = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "escalation")).one()
    assert mail.to_user_id == staff["tm"].id
    overdue = db.scalars(select(Timer).where(Timer.element == "step_overdue")).one()
    assert (overdue.status, overdue.fired_at, overdue.fired_by) == (
        FIRED,
        END_OF_4_MARCH + timedelta(seconds=1),
        "worker-a",
    )
    assert overdue.lag_seconds == 1
    assert sweep(sessions, engine).timers == 0  # fired once, never twice
    assert len(escalations(db, instance.id)) == 1


def test_an_interrupting_timer_cancels_the_step_and_hands_it_over(
    db, sessions, engine, clock, staff
):
    instance = start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH + timedelta(hours=1))
    sweep(sessions, engine)
    step = ready(db, instance.id)["step"]
    clock.set(END_OF_11_MARCH + timedelta(minutes=1))
    assert sweep(sessions, engine).timers == 1
    db.expire_all()
    assert db.get(HumanTask, step.id).state == "cancelled"
    take_over = ready(db, instance.id)["take_over"]
    assert take_over.assignee_id == staff["tm"].id
    assert [r.status for r in timers_of(db, instance.id)] == [FIRED, FIRED]
    assert db.get(ProcessInstance, instance.id).next_timer_at is None


def test_doing_the_step_in_time_cancels_its_timers(db, sessions, engine, clock, staff):
    instance = start_deadline(db, engine, staff)
    complete(db, engine, instance.id, "step", staff["sw"])
    assert timers_of(db, instance.id) == []
    assert db.get(ProcessInstance, instance.id).status == "completed"
    clock.set(END_OF_11_MARCH + timedelta(days=1))
    assert sweep(sessions, engine).timers == 0
    assert escalations(db, instance.id) == []


def test_timers_due_during_downtime_fire_once_on_restart_earliest_first(
    db, sessions, engine, staff
):
    late = start_deadline(db, engine, staff, due_date="2026-03-06")
    early = start_deadline(db, engine, staff, due_date="2026-03-03")
    middle = start_deadline(db, engine, staff, due_date="2026-03-04")
    # Nothing ran for weeks; a new process (fresh engine, empty caches) starts up.
    restarted = Engine(clock=FixedClock(datetime(2026, 3, 10, 9, 0, tzinfo=UTC)))
    result = sweep(sessions, restarted, owner="restarted", batch=1)
    assert (result.instances, result.timers) == (3, 3)
    fired = db.scalars(
        select(AuditEvent.instance_id).where(AuditEvent.action == "timers.fired")
    ).all()
    assert fired == [early.id, middle.id, late.id]
    assert sweep(sessions, restarted).timers == 0
    for instance in (early, middle, late):
        assert len(escalations(db, instance.id)) == 1


def test_a_lease_keeps_other_workers_off_until_it_expires(db, engine, clock, staff, sessions):
    instance = start_deadline(db, engine, staff)
    now = END_OF_4_MARCH + timedelta(minutes=1)
    assert timers.claim(sessions(), "a", now, 30, 10) == [instance.id]
    assert timers.claim(sessions(), "b", now + timedelta(seconds=29), 30, 10) == []
    assert timers.claim(sessions(), "b", now + timedelta(seconds=31), 30, 10) == [instance.id]
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).lease_owner == "b"


def test_a_worker_whose_lease_passed_to_another_saves_nothing(db, sessions, engine, clock, staff):
    instance = start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    timers.claim(sessions(), "slow", clock.now(), 30, 10)
    clock.advance(seconds=31)
    timers.claim(sessions(), "fast", clock.now(), 30, 10)
    with sessions() as session, pytest.raises(timers.LeaseLost):
        engine.fire_timers(session, instance.id, lease_owner="slow")
    assert escalations(db, instance.id) == []
    assert timers.fire_one(sessions, engine, instance.id, "fast").timers == 1
    assert len(escalations(db, instance.id)) == 1


def test_a_case_changed_while_its_timer_fires_is_retried_not_failed(
    db, sessions, engine, clock, staff, monkeypatch
):
    instance = start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    timers.claim(sessions(), "worker-a", clock.now(), 30, 10)
    hand_back = timers.hand_back

    def someone_saves_first(loaded):
        with sessions() as other:  # e.g. a person completing a task at the same moment
            other.execute(
                update(ProcessInstance)
                .where(ProcessInstance.id == loaded.id)
                .values(lock_version=ProcessInstance.lock_version + 1)
            )
            other.commit()
        monkeypatch.setattr(timers, "hand_back", hand_back)
        hand_back(loaded)

    monkeypatch.setattr(timers, "hand_back", someone_saves_first)
    assert timers.fire_one(sessions, engine, instance.id, "worker-a").timers == 0
    db.expire_all()
    row = db.get(ProcessInstance, instance.id)
    assert (row.lease_owner, row.timer_attempts, row.timer_error) == (None, 0, None)
    assert escalations(db, instance.id) == []
    assert sweep(sessions, engine).timers == 1  # looked at again at once, fired once
    assert len(escalations(db, instance.id)) == 1


def test_a_failing_timer_backs_off_then_waits_for_a_manager(db, sessions, engine, clock, staff):
    instance = start_deadline(db, engine, staff, process_id="timer_fails")
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    for attempt in range(1, timers.MAX_ATTEMPTS + 1):
        result = sweep(sessions, engine)
        assert result.timers == 0
        db.expire_all()
        row = db.get(ProcessInstance, instance.id)
        assert row.timer_attempts == attempt
        assert "division by zero" in row.timer_error
        assert sweep(sessions, engine).failed == []  # backing off: not claimed again yet
        clock.set(row.lease_until + timedelta(seconds=1))
    assert row.timer_failed_at is not None
    assert result.failed == [instance.id]
    assert row.lease_until - row.timer_failed_at == timedelta(seconds=480)  # 30 s doubled 4x
    clock.advance(days=1)
    assert sweep(sessions, engine).failed == []  # stopped: a manager must look
    with pytest.raises(NotAllowed):
        timers.retry(db, instance.id, staff["sw"], clock.now())
    timers.retry(db, instance.id, staff["sm"], clock.now())
    assert sweep(sessions, engine).failed == []
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).timer_attempts == 1  # it was tried again
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == instance.id))
    assert list(actions).count("timers.retrying") == timers.MAX_ATTEMPTS


def test_a_timer_that_stops_is_told_once_in_the_failure_s_transaction(
    db, sessions, engine, clock, staff
):
    told = []

    def stopped(session, instance_id, now):
        told.append((instance_id, now, session.in_transaction()))

    engine.hooks = replace(engine.hooks, timers_stopped=stopped)
    instance = start_deadline(db, engine, staff, process_id="timer_fails")
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    for _attempt in range(timers.MAX_ATTEMPTS - 1):  # backing off: nobody is told
        sweep(sessions, engine)
        db.expire_all()
        clock.set(db.get(ProcessInstance, instance.id).lease_until + timedelta(seconds=1))
    assert told == []
    assert sweep(sessions, engine).failed == [instance.id]
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).timer_failed_at == clock.now()
    assert told == [(instance.id, clock.now(), True)]
    clock.advance(days=1)
    sweep(sessions, engine)  # stopped: not tried, and not told again
    assert len(told) == 1


def test_retry_refuses_an_instance_that_has_not_failed(db, engine, clock, staff):
    instance = start_deadline(db, engine, staff)
    with pytest.raises(EngineError, match="no failed timer"):
        timers.retry(db, instance.id, staff["sm"], clock.now())


def test_a_step_completed_at_the_same_moment_lets_the_sweep_look_again(
    db, sessions, engine, clock, staff, monkeypatch
):
    instance = start_deadline(db, engine, staff)
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    timers.claim(sessions(), "a", clock.now(), 30, 10)

    def racing(*_args, **_kwargs):
        raise ConcurrentUpdate("someone else saved first")

    monkeypatch.setattr(engine, "fire_timers", racing)
    assert timers.fire_one(sessions, engine, instance.id, "a").timers == 0
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).lease_owner is None  # free for the next round
    assert db.get(ProcessInstance, instance.id).timer_attempts == 0  # and not a failure


def test_backoff_doubles_up_to_an_hour():
    assert [timers.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [
        30,
        60,
        120,
        3600,
        3600,
    ]


def test_a_timer_s_due_time_is_read_once_per_value_and_as_spiffworkflow_reads_it(monkeypatch):
    """Each step lists its waiting timers several times: the moment is parsed once."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    real = TimerEventDefinition.get_datetime
    parsed = []

    def counted(value):
        parsed.append(value)
        return real(value)

    monkeypatch.setattr(TimerEventDefinition, "get_datetime", staticmethod(counted))
    timers._due_at.cache_clear()
    for value in ("2026-03-05T00:00:00+00:00", "2026-03-12T08:00:00"):  # aware, and local
        assert timers._due_at(value) == timers._due_at(value) == real(value)
    assert parsed == ["2026-03-05T00:00:00+00:00", "2026-03-12T08:00:00"]
    assert timers._due_at("2026-03-05T00:00:00+00:00") == END_OF_4_MARCH
    with pytest.raises(ValueError):
        timers._due_at("not a moment")  # a bad value still fails, every time
    timers._due_at.cache_clear()
