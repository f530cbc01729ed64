"""`serialization.loads` restores the very tasks SpiffWorkflow's own converters restore.

Every state a real scenario saves, and a long loop holding every kind of value, is loaded
both ways; each task of the workflow and its subprocesses must match in every field, in
which of its data's containers it shares with its parent, and in the events it waits for.
"""

from __future__ import annotations

import json

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.workflow import serialization, task_loading
from tests.engine.workflow.test_serialization import ODD_VALUES, loop_workflow, ready
from tests.processes import test_icpc, test_rcpc
from tests.processes.driver import Case

REFERENCE = serialization._serializer(fast=False)
DUMPS = serialization.dumps  # the module's, even while a test wraps it


def stock_loads(state: str, workflow):
    dct = json.loads(state)
    REFERENCE.migrate(dct)
    return REFERENCE.registry.restore(
        dct, spec=workflow.spec, subprocess_specs=workflow.subprocess_specs
    )


def _workflows(workflow) -> dict:
    return {None: workflow, **{str(k): w for k, w in workflow.subprocesses.items()}}


def _task(task) -> tuple:
    parent = task.parent
    shared = sorted(
        k for k, v in task.data.items() if parent is not None and parent.data.get(k) is v
    )
    return (
        type(task),
        task.id,
        task._parent,
        list(task._children),
        task._state,
        task.last_state_change,
        task.triggered,
        task.task_spec.name,
        task.data,
        task.internal_data,
        [k for k, v in task.data.items() if isinstance(v, (dict, list, set)) and k in shared],
    )


def same_as_stock(state: str, workflow) -> None:
    fast = serialization.loads(
        state, workflow.spec, workflow.subprocess_specs, workflow.script_engine
    )
    stock = stock_loads(state, workflow)
    fast_flows, stock_flows = _workflows(fast), _workflows(stock)
    assert fast_flows.keys() == stock_flows.keys()
    for key, one in fast_flows.items():
        other = stock_flows[key]
        assert list(one.tasks) == list(other.tasks)
        assert [_task(t) for t in one.tasks.values()] == [_task(t) for t in other.tasks.values()]
        assert one.task_tree.id == other.task_tree.id
        assert one.data == other.data
        assert (one.last_task and one.last_task.id) == (other.last_task and other.last_task.id)
        for task in one.tasks.values():
            assert task.workflow is one
    assert list(fast.event_manager.tasks) == list(stock.event_manager.tasks)
    assert json.loads(DUMPS(fast)) == json.loads(state)


SCENARIOS = [
    (test_icpc, "test_happy_path_to_a_plan_hands_over_to_core_group_and_reviews"),
    (test_icpc, "test_invitations_create_people_and_one_report_task_per_agency"),
    (test_rcpc, "test_a_late_core_group_is_escalated_and_explained"),
]


@pytest.mark.parametrize(
    "module,name", SCENARIOS, ids=[name.removeprefix("test_") for _, name in SCENARIOS]
)
def test_every_state_of_a_scenario_loads_as_the_stock_serializer_loads_it(
    module, name, db, engine, clock, monkeypatch
):
    checked = []

    def saving(workflow):
        state = DUMPS(workflow)
        same_as_stock(state, workflow)
        checked.append(state)
        return state

    monkeypatch.setattr(serialization, "dumps", saving)
    getattr(module, name)(Case(db, engine, clock, reload=True))
    assert len(checked) >= 4
    assert any('"subprocesses": {"' in state for state in checked) or module is not test_icpc


def test_a_long_loop_with_every_kind_of_value_loads_the_same():
    workflow = loop_workflow()
    for n in range(40):
        task = ready(workflow)[0]
        values = {"visit": n, "stop": False, "family": [{"name": "Grace"}], "seen": {"n": n}}
        if n % 7 == 3:
            values.update(ODD_VALUES)
        task.set_data(**values)
        if n % 5 == 4:
            for key in ("tags", "pair", "nested"):
                task.data.pop(key, None)
        if n % 13 == 0:
            task.internal_data["seen"] = [n, {"when": ODD_VALUES["when"]}]
        task.run()
        workflow.do_engine_steps()
        if n % 6 == 5:
            same_as_stock(serialization.dumps(workflow), workflow)


def test_a_task_record_of_another_kind_is_left_to_spiffworkflow(monkeypatch):
    workflow = loop_workflow()
    for n in range(3):
        task = ready(workflow)[0]
        task.set_data(visit=n, stop=False)
        task.run()
        workflow.do_engine_steps()
    state = json.loads(serialization.dumps(workflow))
    task_id = next(iter(state["tasks"]))
    state["tasks"][task_id]["typename"] = "SomethingElse"
    registry = serialization.serializer().registry
    assert not task_loading._plain_records(registry, state["tasks"])
    asked = []
    monkeypatch.setitem(
        registry.convert_from_dict,
        "SomethingElse",
        lambda dct, **kwargs: (
            asked.append(dct["id"]) or registry.convert_from_dict["Task"](dct, **kwargs)
        ),
    )
    loaded = serialization.loads(
        json.dumps(state), workflow.spec, workflow.subprocess_specs, workflow.script_engine
    )
    assert asked == [task_id]
    assert len(loaded.tasks) == len(workflow.tasks)
    assert loaded.get_tasks(state=TaskState.READY)[0].id == ready(workflow)[0].id
