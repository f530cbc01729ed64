"""A start hands back its new instance's open tasks as it wrote them (the API's answer shows
them without reading them back), and they are what the database holds after the commit;
when what followed the step could have changed them, they are read, as it left them."""

from __future__ import annotations

from engine.models.instances import open_tasks
from engine.workflow.shared_steps import SharedStep
from engine.workflow.stepping import Stepper
from tests.engine.workflow.test_runtime import START_DATA

COLUMNS = ("id", "instance_id", "child_id", "task_spec", "title", "lane", "role", "form_key")
MORE = ("assignee_id", "due_on", "escalation_level", "state", "created_at", "completed_at")


def _then(monkeypatch, more):
    """Have the start's step queue `more(context)` for what follows it."""
    run = Stepper.run

    def queuing(self, workflow, step, context):
        fired = run(self, workflow, step, context)
        if context.sharing is None:
            more(context)
        return fired

    monkeypatch.setattr(Stepper, "run", queuing)


def _fields(rows) -> list[tuple]:
    return [tuple(getattr(row, name) for name in COLUMNS + MORE) for row in rows]


def _as_read_back(db, opened, instance_id: int) -> bool:
    """Whether the rows handed back hold what the database does, read afresh."""
    kept = _fields(opened)
    db.expire_all()
    return kept == _fields(open_tasks(db, instance_id))


def test_the_rows_a_start_wrote_are_its_open_tasks_as_read_back(db, engine, staff, two_steps):
    opened = []
    instance = engine.start(db, "two_steps", staff["sw"], dict(START_DATA), opened=opened)
    assert [row.task_spec for row in opened] == ["first"]
    assert _as_read_back(db, opened, instance.id)


def test_a_start_that_ends_itself_opens_nothing(db, engine, staff, two_steps, monkeypatch):
    """What follows the step (here: ending the new instance, as a step may end the plan's
    others) can change its rows: they are given as the transaction leaves them."""
    _then(monkeypatch, lambda context: context.to_end.update({context.instance.id: "ended"}))
    opened = []
    instance = engine.start(db, "two_steps", staff["sw"], dict(START_DATA), opened=opened)
    assert instance.status == "terminated"
    assert opened == []
    db.expire_all()
    assert open_tasks(db, instance.id) == []


def test_a_start_whose_own_step_is_shared_gives_the_next(db, engine, staff, two_steps, monkeypatch):
    """A shared step done in the same transaction completes the new instance's task and
    creates the next: the open tasks are read then, not taken from the start's save."""
    done = {"start_date": "2026-04-01"}
    _then(monkeypatch, lambda c: c.complete_too(SharedStep(c.instance.id, "first", done, "test")))
    opened = []
    instance = engine.start(db, "two_steps", staff["sw"], dict(START_DATA), opened=opened)
    assert [row.task_spec for row in opened] == ["second"]
    assert _as_read_back(db, opened, instance.id)


def test_a_start_without_opened_is_as_before(db, engine, staff, two_steps):
    instance = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    assert [row.task_spec for row in open_tasks(db, instance.id)] == ["first"]
