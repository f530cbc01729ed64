"""`task_scan` gives SpiffWorkflow's answers without its tree walk: the same ready user tasks
in the same order, the same "completed", over the real scenarios and the small diagrams,
including trees the walk only partly reaches."""

from __future__ import annotations

import inspect
import json
from datetime import timedelta

from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskIterator, TaskState
from SpiffWorkflow.workflow import Workflow

from engine.casework import vocabulary
from engine.diagrams import registry
from engine.platform import clock as clocks
from engine.platform.clock import FixedClock
from engine.workflow import serialization, task_scan
from engine.workflow.task_scan import ScannedSubWorkflow, ScannedWorkflow
from tests.engine.workflow.test_serialization import (
    DIAGRAMS,
    SCENARIOS,
    every_scenario,
    loop_steps,
    loop_workflow,
    nested_workflow,
    ready,
)
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


@every_scenario
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
    expected = ready(workflow)
    monkeypatch.setattr(task_scan, "MAX_DEPTH", 5)
    walks = []
    real = type(workflow).get_tasks_iterator

    def counted(self, *args, **kwargs):
        walks.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(workflow), "get_tasks_iterator", counted)
    assert task_scan.ready_user_tasks(workflow) == expected
    assert walks == [{"state": TaskState.READY, "manual": True}]


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


# ---- the engine's workflow class against SpiffWorkflow's own --------------------------------


def shape(workflow) -> dict:
    """The stored state with each task id replaced by where it stands in the tree and without
    the clock readings (`last_state_change`): two workflows that took the same steps, each
    making its own new task ids at its own instants, have the same shape."""
    doc = json.loads(serialization.dumps(workflow))
    labels: dict[str, str] = {}

    def label(tasks: dict, root: str) -> None:
        pending = [root]
        while pending:
            task_id = pending.pop()
            labels.setdefault(task_id, f"task {len(labels)}")
            pending.extend(c for c in reversed(tasks[task_id]["children"]) if c in tasks)

    label(doc["tasks"], doc["root"])
    subprocesses = doc["subprocesses"]
    for owner in sorted(subprocesses, key=lambda owner: labels.get(owner, owner)):
        label(subprocesses[owner]["tasks"], subprocesses[owner]["root"])
    for each in [doc, *subprocesses.values()]:
        for task_id in each["tasks"]:
            labels.setdefault(task_id, f"task {len(labels)}")

    def relabel(value):
        if isinstance(value, dict):
            return {
                labels.get(k, k): relabel(v) for k, v in value.items() if k != "last_state_change"
            }
        if isinstance(value, list):
            return [relabel(v) for v in value]
        return labels.get(value, value) if isinstance(value, str) else value

    return relabel(doc)


def stock_twin(workflow):
    """The same workflow, same task ids, as SpiffWorkflow's own class."""
    twin = scanned_twin(workflow)
    twin.__class__ = BpmnWorkflow
    return twin


def scanned_twin(workflow) -> ScannedWorkflow:
    return serialization.loads(
        serialization.dumps(workflow),
        workflow.spec,
        workflow.subprocess_specs,
        workflow.script_engine,
    )


def same_walks(monkeypatch) -> dict:
    """Check every walk the engine's workflows skip against the walk itself, as it happens:
    `get_tasks` gives the very tasks in the same order; `update_waiting_tasks` leaves the
    tree as SpiffWorkflow's leaves a twin of it. Counts how often each was checked."""
    checked = {
        "get_tasks": 0,
        "update_waiting_tasks": 0,
        "waiting": 0,
        "spec_name": 0,
        "from_task": 0,
    }

    def compared(scanned_class, stock_class):
        scanned_get = scanned_class.get_tasks

        def get_tasks(self, first_task=None, **kwargs):
            found = scanned_get(self, first_task, **kwargs)
            walked = stock_class.get_tasks(self, first_task, **kwargs)
            assert [t.id for t in found] == [t.id for t in walked]
            assert all(a is b for a, b in zip(found, walked, strict=True))
            checked["get_tasks"] += 1
            checked["spec_name"] += first_task is None and "spec_name" in kwargs
            checked["from_task"] += first_task is not None
            return found

        monkeypatch.setattr(scanned_class, "get_tasks", get_tasks)

    def update_waiting_tasks(self):
        twin = stock_twin(self)
        waiting = len(twin.get_tasks(state=TaskState.WAITING))
        BpmnWorkflow.update_waiting_tasks(twin)
        task_scan.update_waiting_tasks(self)
        assert shape(self) == shape(twin)
        checked["update_waiting_tasks"] += 1
        checked["waiting"] += waiting

    compared(ScannedWorkflow, BpmnWorkflow)
    compared(ScannedSubWorkflow, BpmnSubWorkflow)  # a conference's preparation is one
    monkeypatch.setattr(ScannedWorkflow, "update_waiting_tasks", update_waiting_tasks)
    return checked


@every_scenario
def test_the_engines_workflow_walks_as_spiffworkflow_at_every_step_of_a_scenario(
    module, name, reload, db, engine, clock, monkeypatch
):
    checked = same_walks(monkeypatch)
    getattr(module, name)(Case(db, engine, clock, reload=reload))
    assert checked["get_tasks"] >= 4
    assert checked["update_waiting_tasks"] >= 4
    assert checked["waiting"] >= 1  # boundary timers and joins were waiting and updated


def test_the_icpc_s_parallel_gateways_ask_for_their_tasks_by_name_and_get_the_walks(
    db, engine, clock, monkeypatch
):
    module, name = SCENARIOS[0]
    checked = same_walks(monkeypatch)
    getattr(module, name)(Case(db, engine, clock, reload=False))
    assert checked["spec_name"] >= 2  # the preparation's and the reports' splits


def test_the_icpc_s_catching_events_ask_from_their_task_and_get_the_walks(
    db, engine, clock, monkeypatch
):
    """Each catching event that runs resets the events of its spec below it with
    `get_tasks(my_task, spec_name=...)`: answered by the scan, the very tasks of the walk,
    and never the walk itself."""
    module, name = SCENARIOS[0]
    checked = same_walks(monkeypatch)
    getattr(module, name)(Case(db, engine, clock, reload=False))
    assert checked["from_task"] >= 4


def test_the_icpc_walks_from_no_task(db, engine, clock, monkeypatch):
    """The walks the ICPC still takes: none starts from a task (SpiffWorkflow's `get_tasks`,
    which a subprocess's reaches too, is the walk)."""
    module, name = SCENARIOS[0]
    walks = []
    stock = Workflow.get_tasks

    def walked(self, first_task=None, **kwargs):
        walks.append((first_task is not None, kwargs))
        return stock(self, first_task, **kwargs)

    monkeypatch.setattr(Workflow, "get_tasks", walked)
    getattr(module, name)(Case(db, engine, clock, reload=False))
    assert not [kwargs for from_task, kwargs in walks if from_task]


def run_both(stock, scanned, position: int, **data) -> None:
    """Run the `position`th ready task of each with `data`, then the engine steps."""
    for workflow in (stock, scanned):
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[position]
        task.set_data(**data)
        task.run()
        workflow.do_engine_steps()
    assert shape(scanned) == shape(stock)


def test_a_long_loop_runs_as_in_spiffworkflow():
    stock = loop_workflow()
    scanned = scanned_twin(stock)
    assert type(scanned) is ScannedWorkflow
    for n in range(150):
        run_both(stock, scanned, 0, visit=n, stop=n == 149)
    assert scanned.is_completed() and stock.is_completed()


def test_subprocesses_and_parallel_instances_run_as_in_spiffworkflow(monkeypatch, clock):
    clocks.install()
    checked = same_walks(monkeypatch)
    with clocks.using(clock):  # both twins' timers read the same instant
        stock = nested_workflow()
        scanned = scanned_twin(stock)
        run_both(stock, scanned, 0, items=["a", "b", "c"])
        while ready(stock):
            run_both(stock, scanned, -1)  # the last first: not in creation order
            same_in_each_subprocess(scanned)
    assert scanned.is_completed() and stock.is_completed()
    assert checked["get_tasks"] > 10 and checked["update_waiting_tasks"] > 5


def same_in_each_subprocess(workflow) -> None:
    """From a subprocess's root the walk also enters the subprocesses its tasks own."""
    assert workflow.subprocesses
    for subprocess in workflow.subprocesses.values():
        for state in (TaskState.READY, TaskState.NOT_FINISHED_MASK, TaskState.COMPLETED):
            found = task_scan.tasks_in_state(subprocess, state)
            assert found == subprocess.get_tasks(state=state)  # a SpiffWorkflow subprocess


def test_waiting_tasks_below_the_walks_depth_limit_are_not_updated(monkeypatch):
    """The walk stops descending at its depth limit, and so does `update_waiting_tasks`."""
    workflow = scanned_twin(loop_workflow())
    loop_steps(workflow, 4)
    chain = [t for t in workflow.tasks.values() if t._state == TaskState.COMPLETED]
    for task in chain:
        task._state = TaskState.WAITING  # every level of the chain waits
    updated = []
    for spec_class in {type(task.task_spec) for task in chain}:
        monkeypatch.setattr(spec_class, "_update", lambda spec, task: updated.append(task))
    for limit in (1, 3, 6, 1000):
        walked = list(TaskIterator(workflow.task_tree, state=TaskState.WAITING, max_depth=limit))
        monkeypatch.setattr(task_scan, "MAX_DEPTH", limit)
        updated.clear()
        workflow.update_waiting_tasks()
        assert updated == walked
        assert len(walked) == min(limit + 1, len(chain))


def test_each_waiting_task_is_updated_as_spiffworkflow_updates_it(clock):
    """Both deadline timers of a step fall due together: each is made ready, as the walk does."""
    clocks.install()
    diagram = registry.parse((DIAGRAMS / "deadline.bpmn").read_bytes(), "deadline.bpmn")
    with clocks.using(clock):
        stock = BpmnWorkflow(diagram.spec, script_engine=vocabulary.LANGUAGE.script_engine())
        stock.task_tree.data["due_date"] = "2026-03-04"
        stock.do_engine_steps()
        scanned = scanned_twin(stock)
    waiting = stock.get_tasks(state=TaskState.WAITING)
    assert len(waiting) >= 2
    with clocks.using(FixedClock(clock.now() + timedelta(days=90))):
        BpmnWorkflow.update_waiting_tasks(stock)
        scanned.update_waiting_tasks()
    assert shape(scanned) == shape(stock)
    assert all(task.state == TaskState.READY for task in waiting)


def spec_name_walks(monkeypatch) -> list:
    """The walks `get_tasks` still takes: a scanned filter never reaches the stock method."""
    walks = []
    stock = BpmnWorkflow.get_tasks

    def walked(self, first_task=None, **kwargs):
        walks.append(kwargs)
        return stock(self, first_task, **kwargs)

    monkeypatch.setattr(BpmnWorkflow, "get_tasks", walked)
    return walks


def test_a_filter_on_a_spec_name_finds_what_the_walk_finds_in_its_order(monkeypatch):
    """A parallel gateway asks `get_tasks(spec_name=...)` each time a branch reaches it:
    answered from the task dictionaries, across subprocesses, in the walk's order."""
    workflow = scanned_twin(nested_workflow())
    ready(workflow, "first")[0].set_data(items=["a", "b", "c"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    names = {t.task_spec.name for each in (workflow, *workflow.subprocesses.values())
             for t in each.tasks.values()}  # fmt: skip
    walks = spec_name_walks(monkeypatch)
    several = 0
    for name in sorted(names):
        for kwargs in ({"spec_name": name}, {"spec_name": name, "state": TaskState.COMPLETED}):
            found = workflow.get_tasks(**kwargs)
            walked = list(BpmnTaskIterator(workflow.task_tree, **kwargs))
            assert [t.id for t in found] == [t.id for t in walked]
            several += len(found) > 1
        for subprocess in workflow.subprocesses.values():
            found = subprocess.get_tasks(spec_name=name)
            walked = list(BpmnTaskIterator(subprocess.task_tree, spec_name=name))
            assert [t.id for t in found] == [t.id for t in walked]
    assert several  # the multi-instance task's instances share their spec's name
    assert walks == []
    workflow.get_tasks(spec_name="first", manual=True)  # any other filter: the walk's
    assert walks == [{"spec_name": "first", "manual": True}]


def test_from_any_task_a_filter_finds_what_the_walk_from_it_finds(monkeypatch):
    """`get_tasks(task, ...)` walks only what lies below `task` (itself first, subprocesses
    its tasks own included): from every task, by every name, the scan finds the same."""
    workflow = scanned_twin(nested_workflow())
    ready(workflow, "first")[0].set_data(items=["a", "b"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    everywhere = [t for each in (workflow, *workflow.subprocesses.values())
                  for t in each.tasks.values()]  # fmt: skip
    names = {t.task_spec.name for t in everywhere}
    walks = spec_name_walks(monkeypatch)
    crossing = several = 0
    for first in everywhere:
        for name in sorted(names):
            for kwargs in ({"spec_name": name}, {"spec_name": name, "state": TaskState.FUTURE}):
                found = first.workflow.get_tasks(first, **kwargs)
                walked = list(BpmnTaskIterator(first, **kwargs))
                assert [t.id for t in found] == [t.id for t in walked]
                several += len(found) > 1
                crossing += any(t.workflow is not first.workflow for t in found)
        whole = list(BpmnTaskIterator(first))
        assert workflow.get_tasks(first, state=TaskState.ANY_MASK) == whole
    assert several and crossing  # several alike; some below, in a subprocess
    assert walks == []


def test_from_a_task_a_workflow_as_large_as_the_depth_limit_is_left_to_the_walk(monkeypatch):
    workflow = scanned_twin(nested_workflow())
    ready(workflow, "first")[0].set_data(items=["a", "b"])
    ready(workflow, "first")[0].run()
    workflow.do_engine_steps()
    monkeypatch.setattr(task_scan, "MAX_DEPTH", 5)
    walks = []
    real = type(workflow).get_tasks_iterator

    def counted(self, *args, **kwargs):
        walks.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(type(workflow), "get_tasks_iterator", counted)
    found = 0
    for first in workflow.tasks.values():
        walked = list(BpmnTaskIterator(first, spec_name="inner_task"))
        assert workflow.get_tasks(first, spec_name="inner_task") == walked
        found += len(walked)
        assert walks.pop() == (first,)  # the walk, from that task
    assert found
