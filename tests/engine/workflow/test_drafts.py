"""Drafts: what was typed, kept per task and person, gone when the task is done."""

import pytest

from engine.models.drafts import draft_for, drafted_task_ids
from engine.platform.errors import InstanceNotActive
from engine.workflow import drafts
from tests.factories import ready, start_icpc


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
