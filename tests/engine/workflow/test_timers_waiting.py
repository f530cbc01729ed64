"""`timers.waiting` keeps its answer on the workflow: given again only while it would be the
same, never stale. Each case changes one thing it is made of and expects the fresh answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.casework import vocabulary
from engine.diagrams import registry
from engine.platform import clock as clocks
from engine.platform.clock import FixedClock
from engine.workflow import timer_rows, timers
from tests.engine.workflow.test_serialization import DIAGRAMS, SCENARIOS, every_scenario
from tests.processes.driver import Case


def fresh(workflow) -> list[timers.WaitingTimer]:
    """The answer worked out afresh, as before it was kept: SpiffWorkflow's `details`."""
    return [
        timers._timer(task, task.task_spec.event_definition)
        for task in workflow.event_manager.tasks.values()
        if isinstance(task.task_spec.event_definition, TimerEventDefinition)
    ]


@pytest.fixture
def deadline(clock) -> BpmnWorkflow:
    """A step with two boundary timers waiting (overdue, expired)."""
    clocks.install()
    diagram = registry.parse((DIAGRAMS / "deadline.bpmn").read_bytes(), "deadline.bpmn")
    with clocks.using(clock):
        workflow = BpmnWorkflow(diagram.spec, script_engine=vocabulary.LANGUAGE.script_engine())
        workflow.task_tree.data["due_date"] = "2026-03-04"
        workflow.do_engine_steps()
    return workflow


def test_asked_again_unchanged_the_same_answer_is_given(deadline):
    first = timers.waiting(deadline)
    assert len(first) == 2 and all(t.due is not None for t in first)
    kept = deadline.__dict__[timers._KEPT][1]
    again = timers.waiting(deadline)
    assert again == first == fresh(deadline)
    again.clear()  # a caller's list is its own
    assert timers.waiting(deadline) == first
    assert deadline.__dict__[timers._KEPT][1] is kept  # not worked out again


def test_a_new_due_time_is_seen(deadline):
    before = timers.waiting(deadline)
    task = next(iter(deadline.event_manager.tasks.values()))
    task.internal_data["event_value"] = "2027-01-01T09:00:00+00:00"
    after = timers.waiting(deadline)
    assert after == fresh(deadline) != before
    task.internal_data.pop("event_value")  # not evaluated yet: no due time
    assert timers.waiting(deadline) == fresh(deadline)
    assert any(t.due is None for t in timers.waiting(deadline))


def test_a_timer_that_stops_or_starts_waiting_is_seen(deadline):
    before = timers.waiting(deadline)
    task = next(iter(deadline.event_manager.tasks.values()))
    deadline.event_manager.remove_task(task)
    assert timers.waiting(deadline) == fresh(deadline) == before[1:]
    deadline.event_manager.add_task(task)  # back, now last
    assert timers.waiting(deadline) == fresh(deadline) == [*before[1:], before[0]]


def test_a_task_given_another_spec_is_seen(deadline):
    """As a version move does: the element and name come from the new spec."""
    before = timers.waiting(deadline)
    first, second = list(deadline.event_manager.tasks.values())
    first.task_spec = second.task_spec
    after = timers.waiting(deadline)
    assert after == fresh(deadline)
    assert after[0].element == before[1].element != before[0].element


def test_timers_firing_are_seen(deadline, clock):
    assert len(timers.waiting(deadline)) == 2
    with clocks.using(FixedClock(clock.now() + timedelta(days=90))):
        deadline.refresh_timers()  # both fall due: ready, no longer waiting
    assert timers.waiting(deadline) == fresh(deadline) == []


@every_scenario
def test_every_answer_of_a_scenario_is_the_fresh_one(
    module, name, reload, db, engine, clock, monkeypatch
):
    """Wherever the engine asks (before, during and after each step, and for its rows)."""
    real = timers.waiting
    asked = {"all": 0, "kept": 0}

    def checked(workflow):
        kept = workflow.__dict__.get(timers._KEPT)
        found = real(workflow)
        assert found == fresh(workflow)
        asked["all"] += 1
        asked["kept"] += kept is not None and workflow.__dict__[timers._KEPT] is kept
        return found

    monkeypatch.setattr(timers, "waiting", checked)
    monkeypatch.setattr(timer_rows, "waiting", checked)
    getattr(module, name)(Case(db, engine, clock, reload=reload))
    assert asked["all"] >= 4
    assert asked["kept"] >= 1


@pytest.mark.parametrize("module,name", SCENARIOS[:3], ids=["happy", "invitations", "missed"])
def test_a_step_lists_its_timers_once_and_the_list_it_hands_on_is_current(
    module, name, db, engine, clock, monkeypatch
):
    """After its step `Stepper.run` asks once and hands the list to the first `due`: at that
    moment it is what the workflow waits on."""
    real_due = timers.due
    handed = []

    def checked(workflow, now, waiting_now=None):
        if waiting_now is not None:
            assert waiting_now == fresh(workflow)
            handed.append(waiting_now)
        return real_due(workflow, now, waiting_now)

    monkeypatch.setattr(timers, "due", checked)
    getattr(module, name)(Case(db, engine, clock, reload=False))
    assert len(handed) >= 4
    assert any(handed)  # some with timers waiting
