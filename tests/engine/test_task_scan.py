"""`task_scan` gives SpiffWorkflow's answers without its tree walk: the same ready user tasks
in the same order, the same "completed", over the real scenarios and the small diagrams,
including trees the walk only partly reaches."""

from __future__ import annotations

import inspect

import pytest
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine import serialization, task_scan
from tests.engine.test_serialization import SCENARIOS, loop_workflow, nested_workflow, ready
from tests.processes.driver import Case


def same_as_walk(workflow) -> list:
    walked = workflow.get_tasks(state=TaskState.READY, manual=True)
    scanned = task_scan.ready_user_tasks(workflow)
    assert [t.id for t in scanned] == [t.id for t in walked]
    assert all(a is b for a, b in zip(scanned, walked, strict=True))
    completed = task_scan.is_completed(workflow)
    assert completed == workflow.is_completed()
    return walked


def test_the_depth_limit_is_the_one_both_iterators_use():
    bpmn = inspect.signature(BpmnTaskIterator.__init__).parameters["max_depth"].default
    assert task_scan.MAX_DEPTH == bpmn == 1000


@pytest.mark.parametrize("reload", [False, True], ids=["in-memory", "reload-every-step"])
@pytest.mark.parametrize(
    "module,name", SCENARIOS, ids=[name.removeprefix("test_") for _, name in SCENARIOS]
)
def test_every_step_of_a_scenario_finds_what_the_walk_finds(
    module, name, reload, db, engine, clock, monkeypatch
):
    real_dumps = serialization.dumps
    counts = []

    def checked(workflow):
        counts.append(len(same_as_walk(workflow)))
        return real_dumps(workflow)

    monkeypatch.setattr(serialization, "dumps", checked)
    getattr(module, name)(Case(db, engine, clock, reload=reload))
    assert len(counts) >= 4
    assert max(counts) >= 1


def test_a_long_loop_at_every_step():
    workflow = loop_workflow()
    for n in range(120):
        [task] = same_as_walk(workflow)
        task.set_data(visit=n, stop=False)
        task.run()
        workflow.do_engine_steps()
    ready(workflow)[0].set_data(stop=True)
    ready(workflow)[0].run()
    workflow.do_engine_steps()
    assert same_as_walk(workflow) == []
    assert task_scan.is_completed(workflow)


def test_subprocesses_and_parallel_instances_in_the_walks_order():
    workflow = nested_workflow()
    same_as_walk(workflow)
    ready(workflow, "first")[0].set_data(items=["a", "b", "c"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    [inner] = same_as_walk(workflow)
    assert inner.workflow is not workflow  # inside the call activity's subprocess
    inner.run()
    workflow.do_engine_steps()
    instances = same_as_walk(workflow)
    assert len(instances) == 3
    while instances:
        instances[-1].run()  # the last first, so the rest are not simply in creation order
        workflow.do_engine_steps()
        instances = [t for t in same_as_walk(workflow) if t.task_spec.name != "last"]
    ready(workflow, "last")[0].run()
    workflow.do_engine_steps()
    assert same_as_walk(workflow) == []


def test_a_subprocess_comes_before_the_children_of_the_task_that_owns_it():
    workflow = nested_workflow()
    ready(workflow, "first")[0].set_data(items=["a"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    [inner] = same_as_walk(workflow)
    [last] = [t for t in workflow.tasks.values() if t.task_spec.name == "last"]
    call = next(t for t in workflow.tasks.values() if t.id in workflow.subprocesses)
    assert last.is_descendant_of(call)
    # Made ready by hand (it never is while the call runs): the walk meets it after the
    # subprocess, though the scan finds it first.
    node, kept = last, {}
    while node is not call:
        kept[node] = node._state
        node._state = TaskState.READY if node is last else max(node._state, TaskState.FUTURE)
        node = node.parent
    assert same_as_walk(workflow) == [inner, last]
    for node, state in kept.items():
        node._state = state
    assert same_as_walk(workflow) == [inner]


def test_tasks_the_walk_does_not_reach_are_not_found():
    workflow = loop_workflow()
    for n in range(3):
        ready(workflow)[0].set_data(visit=n, stop=False)
        ready(workflow)[0].run()
        workflow.do_engine_steps()
    [task] = same_as_walk(workflow)
    stray = Task(workflow, task.task_spec, state=TaskState.READY)  # no parent: not in the tree
    assert stray.id in workflow.tasks
    assert same_as_walk(workflow) == [task]
    del workflow.tasks[stray.id]

    parent = task.parent
    kept, parent._state = parent._state, TaskState.LIKELY  # the walk does not enter it
    assert same_as_walk(workflow) == []
    parent._state = kept
    parent._children.remove(task.id)  # a task its parent does not list
    assert same_as_walk(workflow) == []
    parent._children.append(task.id)
    assert same_as_walk(workflow) == [task]


def test_a_workflow_as_large_as_the_depth_limit_is_left_to_the_walk(monkeypatch):
    workflow = loop_workflow()
    for n in range(5):
        ready(workflow)[0].set_data(visit=n, stop=False)
        ready(workflow)[0].run()
        workflow.do_engine_steps()
    monkeypatch.setattr(task_scan, "MAX_DEPTH", 5)
    walks = []
    real = type(workflow).get_tasks

    def counted(self, *args, **kwargs):
        walks.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(workflow), "get_tasks", counted)
    assert task_scan.ready_user_tasks(workflow) == ready(workflow)
    assert walks[0] == {"state": TaskState.READY, "manual": True}


def loop_steps(workflow, count: int) -> None:
    for n in range(count):
        task = ready(workflow)[0]
        task.set_data(visit=n, stop=False)
        task.run()
        workflow.do_engine_steps()


def test_a_workflow_is_too_deep_before_the_walk_goes_blind():
    """Each loop adds three levels (join, step, gateway); the walk stops at MAX_DEPTH."""
    workflow = loop_workflow()
    loop_steps(workflow, (task_scan.DEPTH_LIMIT - 10) // 3)
    assert not task_scan.too_deep(workflow)
    loop_steps(workflow, 5)
    assert task_scan.too_deep(workflow)
    assert ready(workflow)  # the walk still sees the waiting step: refused in time
    assert task_scan.DEPTH_LIMIT < task_scan.MAX_DEPTH


def test_depth_counts_through_a_subprocess(monkeypatch):
    workflow = nested_workflow()
    ready(workflow, "first")[0].set_data(items=["a"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    depths: dict = {}
    inner = [t for each in workflow.subprocesses.values() for t in each.tasks.values()]
    deepest = max(task_scan._depth(workflow, t, depths) for t in inner)
    top_only = max(task_scan._depth(workflow, t, depths) for t in workflow.tasks.values())
    assert deepest > top_only  # a subprocess's tasks sit below the task that owns it
    monkeypatch.setattr(task_scan, "DEPTH_LIMIT", deepest)
    assert task_scan.too_deep(workflow)
    monkeypatch.setattr(task_scan, "DEPTH_LIMIT", deepest + 1)
    assert not task_scan.too_deep(workflow)
