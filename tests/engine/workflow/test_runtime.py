from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.models import audit as audit_module
from engine.platform.errors import (
    EngineError,
    InstanceNotActive,
    NotAllowed,
    StepFailed,
    TaskAlreadyCompleted,
)
from engine.service import Engine
from engine.workflow import serialization, task_scan
from tests.factories import complete, deploy_test_diagram, ready

START_DATA = {"social_worker": "sw", "team_manager": "tm"}


def start(db, engine, staff, process_id="two_steps"):
    return engine.start(db, process_id, staff["sw"], dict(START_DATA))


def snapshot(db, instance_id):
    """Everything a completion writes, to prove a failed one wrote nothing (but the record
    of its failure, kept for the process owner)."""
    db.expire_all()
    instance = db.get(ProcessInstance, instance_id)
    rows = db.execute(select(HumanTask.id, HumanTask.state).order_by(HumanTask.id)).all()
    kept = AuditEvent.action != "step.failed"
    events = db.scalar(select(func.count()).select_from(AuditEvent).where(kept))
    return instance.state, instance.lock_version, instance.status, rows, events


def test_start_creates_the_first_task_for_the_allocated_worker(db, engine, staff, two_steps):
    instance = start(db, engine, staff)
    tasks = ready(db, instance.id)
    assert list(tasks) == ["first"]
    first = tasks["first"]
    assert first.title == "Record the start date"
    assert first.role == "social_worker"
    assert first.assignee_id == staff["sw"].id
    assert instance.reference == f"TWO-STEPS-{instance.id:06d}"
    assert instance.version_id == two_steps.id


def test_completing_a_task_creates_the_next_with_its_working_day_due_date(
    db, engine, staff, two_steps
):
    instance = start(db, engine, staff)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-04-01")
    tasks = ready(db, instance.id)
    assert list(tasks) == ["second"]
    # Two working days after Wednesday 1 April 2026 skip Good Friday and Easter Monday.
    assert tasks["second"].due_on == date(2026, 4, 7)
    assert tasks["second"].role == "business_support"
    assert tasks["second"].assignee_id is None
    # The deadline timer is stored for the sweep: the end of 7 April in London (BST).
    assert instance.next_timer_at == datetime(2026, 4, 7, 23, 0, tzinfo=UTC)
    first = db.scalars(select(HumanTask).where(HumanTask.task_spec == "first")).one()
    assert (first.state, first.completed_by_id) == ("completed", staff["sw"].id)
    actions = [e.action for e in audit_module.history(db, instance.id)]
    assert actions == ["instance.started", "task.completed"]


def test_the_last_task_completes_the_instance(db, engine, staff, two_steps):
    instance = start(db, engine, staff)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    instance = complete(db, engine, instance.id, "second", staff["bs"])
    assert instance.status == "completed"
    assert instance.next_timer_at is None
    assert ready(db, instance.id) == {}


def test_a_completed_task_cannot_be_completed_again(db, engine, staff, two_steps):
    instance = start(db, engine, staff)
    task = ready(db, instance.id)["first"]
    engine.complete(db, task.id, staff["sw"], {"start_date": "2026-03-02"})
    with pytest.raises(TaskAlreadyCompleted, match="already been completed by Sw"):
        engine.complete(db, task.id, staff["sw"], {"start_date": "2026-03-03"})


def test_only_the_assignee_or_the_role_may_complete(db, engine, staff, two_steps):
    instance = start(db, engine, staff)
    with pytest.raises(NotAllowed):
        complete(db, engine, instance.id, "first", staff["bs"], start_date="2026-03-02")
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    with pytest.raises(NotAllowed):
        complete(db, engine, instance.id, "second", staff["sw"])


def test_a_completion_that_raises_half_way_leaves_no_trace(db, engine, staff):
    deploy_test_diagram(db, "failing")
    instance = engine.start(db, "failing", staff["sw"], {})
    before = snapshot(db, instance.id)
    task_id = ready(db, instance.id)["first"].id
    for _ in range(2):  # and the failure does not poison what the engine remembers
        with pytest.raises(StepFailed, match="ZeroDivisionError"):
            engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
        assert snapshot(db, instance.id) == before
    assert list(ready(db, instance.id)) == ["first"]
    failed = select(AuditEvent).where(AuditEvent.action == "step.failed")
    assert [e.detail["element"] for e in db.scalars(failed)] == ["explode", "explode"]


def test_a_value_a_script_leaves_that_cannot_be_saved_fails_the_step_and_says_which(
    db, engine, staff
):
    """A script's bytes (or generator, or range) cannot be written: the step fails as a
    raising script does, naming the value and its step, not as a server error."""
    deploy_test_diagram(db, "unsavable")
    instance = engine.start(db, "unsavable", staff["sw"], {})
    before = snapshot(db, instance.id)
    task_id = ready(db, instance.id)["first"].id
    message = "“receipt” in “Keep a receipt” holds a value of type bytes, which cannot be saved"
    for _ in range(2):
        with pytest.raises(StepFailed, match=message):
            engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
        assert snapshot(db, instance.id) == before
    assert list(ready(db, instance.id)) == ["first"]


def test_a_storage_failure_after_the_step_rolls_everything_back(
    db, engine, staff, two_steps, monkeypatch
):
    instance = start(db, engine, staff)
    before = snapshot(db, instance.id)
    task_id = ready(db, instance.id)["first"].id

    def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_module, "record_now", broken_record)  # the completion's own
    with pytest.raises(RuntimeError, match="disk full"):
        engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
    assert snapshot(db, instance.id) == before
    monkeypatch.undo()
    engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
    assert list(ready(db, instance.id)) == ["second"]


def test_restart_continues_from_the_database_not_memory(
    db, sessions, clock, staff, two_steps, monkeypatch
):
    engine = Engine(clock=clock)
    instance = start(db, engine, staff)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    loads = []
    real_loads = serialization.loads
    monkeypatch.setattr(serialization, "loads", lambda *a: loads.append(1) or real_loads(*a))
    restarted, session = Engine(clock=clock), sessions()  # a new process: nothing in memory
    second = ready(session, instance.id)["second"]
    done = restarted.complete(session, second.id, staff["bs"], {}).instance
    assert loads == [1]
    assert done.status == "completed"


def test_the_deadline_timer_fires_once_at_the_end_of_the_due_day(
    db, engine, clock, staff, two_steps
):
    instance = start(db, engine, staff)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    due = ready(db, instance.id)["second"].due_on
    assert due == date(2026, 3, 4)
    clock.set(datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC))
    assert engine.fire_timers(db, instance.id) == 0
    assert list(ready(db, instance.id)) == ["second"]
    clock.set(datetime(2026, 3, 5, 0, 0, 1, tzinfo=UTC))
    assert engine.fire_timers(db, instance.id) == 1
    assert engine.fire_timers(db, instance.id) == 0
    tasks = ready(db, instance.id)
    assert sorted(tasks) == ["explain_late", "second"]  # non-interrupting: second stays
    assert tasks["explain_late"].assignee_id == staff["tm"].id
    assert db.get(ProcessInstance, instance.id).next_timer_at is None
    fired = [e for e in audit_module.history(db, instance.id) if e.action == "timers.fired"]
    assert [e.detail["timers"] for e in fired] == [["Second step late"]]


def test_a_step_that_starts_after_its_deadline_escalates_at_once(
    db, engine, clock, staff, two_steps
):
    instance = start(db, engine, staff)
    clock.advance(days=10)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    assert sorted(ready(db, instance.id)) == ["explain_late", "second"]


def test_suspend_resume_and_terminate(db, engine, clock, staff, two_steps):
    instance = start(db, engine, staff)
    task_id = ready(db, instance.id)["first"].id
    with pytest.raises(NotAllowed):
        engine.suspend(db, instance.id, staff["sw"], "")
    engine.suspend(db, instance.id, staff["tm"], "family moved, checking")
    with pytest.raises(InstanceNotActive, match="suspended"):
        engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
    engine.resume(db, instance.id, staff["tm"], "")
    engine.complete(db, task_id, staff["sw"], {"start_date": "2026-03-02"})
    with pytest.raises(EngineError, match="reason"):
        engine.terminate(db, instance.id, staff["tm"], " ")
    engine.terminate(db, instance.id, staff["sm"], "opened in error")
    instance = db.get(ProcessInstance, instance.id)
    assert (instance.status, instance.next_timer_at) == ("terminated", None)
    assert ready(db, instance.id) == {}
    clock.advance(days=30)
    assert engine.fire_timers(db, instance.id) == 0
    actions = [e.action for e in audit_module.history(db, instance.id)]
    assert actions[-1] == "instance.terminated"
    assert "instance.suspended" in actions and "instance.resumed" in actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"typename": "x"}, "reserved|typename"),
        ({"nested": {"typename": "BpmnWorkflow"}}, "typename"),
        ({"add_working_days": 1}, "reserved"),
        ({"not valid": 1}, "not a valid field name"),
    ],
)
def test_unsafe_data_never_reaches_the_engine(db, engine, staff, two_steps, data, message):
    instance = start(db, engine, staff)
    task_id = ready(db, instance.id)["first"].id
    with pytest.raises(EngineError, match=message):
        engine.complete(db, task_id, staff["sw"], data)


def test_a_looping_instance_stays_correct_over_many_steps(db, engine, clock, staff):
    deploy_test_diagram(db, "loop")
    instance = engine.start(db, "loop", staff["sw"], {})
    for n in range(30):
        clock.advance(minutes=1)
        instance = complete(db, engine, instance.id, "step", staff["sw"], visit=n, stop=(n == 29))
    assert instance.status == "completed"
    assert db.scalar(select(func.count()).select_from(HumanTask)) == 30
    assert timedelta(0) < instance.updated_at - instance.started_at


def test_a_step_that_makes_the_workflow_too_deep_is_refused_and_nothing_saved(
    db, engine, clock, staff, monkeypatch
):
    """Past SpiffWorkflow's depth limit the case would look finished with its step waiting."""
    deploy_test_diagram(db, "loop")
    instance = engine.start(db, "loop", staff["sw"], {})
    for n in range(3):
        instance = complete(db, engine, instance.id, "step", staff["sw"], visit=n, stop=False)
    # A loop's earlier rounds are pruned, so its depth stays put: the limit comes down to it.
    monkeypatch.setattr(task_scan, "DEPTH_LIMIT", 8)
    version, task = instance.lock_version, ready(db, instance.id)["step"]
    with pytest.raises(StepFailed, match="repeated a step so many times"):
        engine.complete(db, task.id, staff["sw"], {"visit": 3, "stop": False})
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).lock_version == version
    assert db.get(ProcessInstance, instance.id).status == "running"
    assert db.get(HumanTask, task.id).state == "ready"
