"""Drafts: what was typed, kept per task and person, gone when the task is done."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.models import HumanTask
from engine.models.drafts import TaskDraft, draft_for, drafted_task_ids
from engine.platform.errors import InstanceNotActive, NotAllowed, StepFailed, TaskNotFound
from engine.workflow import drafts, timers
from tests.factories import (
    deploy_test_diagram,
    make_staff,
    ready,
    start_icpc,
    strategy_recorded,
)


def test_save_replace_and_discard(db, engine, clock):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    form = {"csrf_token": ["x"], "action": ["draft"], "outcome": ["icpc"], "s47-day": ["31"]}
    drafts.save(db, task, staff["sw"], form, clock.now())
    assert draft_for(db, task.id, staff["sw"].id).values == {"outcome": ["icpc"], "s47-day": ["31"]}
    drafts.save(db, task, staff["sw"], {"outcome": ["no_conference"]}, clock.now())
    assert draft_for(db, task.id, staff["sw"].id).values == {"outcome": ["no_conference"]}
    assert drafted_task_ids(db, staff["sw"].id, [task.id, "other"]) == {task.id}
    assert drafted_task_ids(db, staff["tm"].id, [task.id]) == set()
    drafts.discard_mine(db, task.id, staff["sw"])
    assert draft_for(db, task.id, staff["sw"].id) is None


def test_a_finished_task_takes_no_draft(db, engine, clock):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    engine.terminate(db, instance.id, staff["tm"], "Opened in error")
    db.refresh(task)
    with pytest.raises(InstanceNotActive):
        drafts.save(db, task, staff["sw"], {"outcome": ["icpc"]}, clock.now())


def _draft(db, task, user, clock, **values):
    return drafts.save(db, task, user, {k: [v] for k, v in values.items()}, clock.now())


def _drafts_of(db, task_id) -> list[int]:
    db.expire_all()
    query = select(TaskDraft.user_id).where(TaskDraft.task_id == task_id)
    return sorted(db.scalars(query))


def test_completing_a_task_discards_every_persons_draft_of_it(db, engine, clock):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    _draft(db, task, staff["sw"], clock, outcome="icpc")
    _draft(db, task, staff["tm"], clock, outcome="no_conference")
    strategy_recorded(db, engine, instance.id, staff)
    assert _drafts_of(db, task.id) == []


def test_terminating_an_instance_discards_the_drafts_of_its_open_tasks(db, engine, clock):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    _draft(db, task, staff["sw"], clock, outcome="icpc")
    engine.terminate(db, instance.id, staff["tm"], "Opened in error")
    assert db.get(HumanTask, task.id).state == "cancelled"
    assert _drafts_of(db, task.id) == []


def test_a_step_that_cancels_a_task_discards_its_drafts(db, sessions, engine, clock):
    """The deadline diagram's interrupting timer cancels the step and hands it over."""
    staff = make_staff(db)
    deploy_test_diagram(db, "deadline")
    data = {"social_worker": "sw", "team_manager": "tm", "due_date": "2026-03-04"}
    instance = engine.start(db, "deadline", staff["sw"], data)
    clock.set(datetime(2026, 3, 5, 1, 0, tzinfo=UTC))  # the overdue reminder: step stays open
    timers.sweep(sessions, engine, "worker-a")
    step = ready(db, instance.id)["step"]
    _draft(db, step, staff["sw"], clock, note="half done")
    clock.set(datetime(2026, 3, 12, 0, 1, tzinfo=UTC))  # expired: the step is cancelled
    timers.sweep(sessions, engine, "worker-a")
    db.expire_all()
    assert db.get(HumanTask, step.id).state == "cancelled"
    assert "take_over" in ready(db, instance.id)
    assert _drafts_of(db, step.id) == []


def test_a_completion_whose_step_fails_keeps_the_draft_and_the_task_open(db, engine, clock):
    staff = make_staff(db)
    deploy_test_diagram(db, "failing")
    instance = engine.start(db, "failing", staff["sw"], {})
    task = ready(db, instance.id)["first"]
    _draft(db, task, staff["sw"], clock, start_date="2026-03-02")
    with pytest.raises(StepFailed):
        engine.complete(db, task.id, staff["sw"], {"start_date": "2026-03-02"})
    assert _drafts_of(db, task.id) == [staff["sw"].id]
    assert db.get(HumanTask, task.id).state == "ready"


def test_the_callers_validation_runs_after_the_checks_in_the_same_transaction(db, engine, clock):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    _draft(db, task, staff["sw"], clock, outcome="icpc")
    seen = []

    def refuse(row):
        seen.append(row.id)
        raise ValueError("the form says no")

    with pytest.raises(NotAllowed):  # someone else's task: the form is never consulted
        engine.complete(db, task.id, staff["bs"], {}, validate=refuse)
    with pytest.raises(TaskNotFound):
        engine.complete(db, "not-a-task", staff["sw"], {}, validate=refuse)
    assert seen == []
    with pytest.raises(ValueError, match="the form says no"):
        engine.complete(db, task.id, staff["sw"], {}, validate=refuse)
    assert seen == [task.id]
    assert _drafts_of(db, task.id) == [staff["sw"].id]
    assert db.get(HumanTask, task.id).state == "ready"
