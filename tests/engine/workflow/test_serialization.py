"""`serialization.dumps` writes the very document SpiffWorkflow's own converters write.

The fast converters build each task's dictionary themselves; stored states must not change
because of it. Every save is compared byte for byte with the stock conversion (the same
spec-less workflow converter, SpiffWorkflow's task and subprocess converters): over the real
diagrams driven through their scenarios, a long loop, a call activity with a subprocess and a
multi-instance task, and task data of every kind the registry or the encoder handles. Each
saved state is also loaded and saved again.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.casework import vocabulary
from engine.diagrams import registry
from engine.workflow import serialization
from tests.processes import test_end_plan, test_icpc, test_rcpc
from tests.processes.driver import Case

DIAGRAMS = Path(__file__).parents[1] / "diagrams"
REFERENCE = serialization._serializer(fast=False)
DUMPS = serialization.dumps  # the module's, even while a test wraps it


def same_as_stock(workflow: BpmnWorkflow) -> str:
    """Dump with both converters, insist on the same bytes, and survive a load and a dump."""
    state = DUMPS(workflow)
    assert state == REFERENCE.serialize_json(workflow)
    again = serialization.loads(
        state, workflow.spec, workflow.subprocess_specs, workflow.script_engine
    )
    assert json.loads(DUMPS(again)) == json.loads(state)
    return state


def ready(workflow: BpmnWorkflow, spec_name: str | None = None) -> list:
    found = workflow.get_tasks(state=TaskState.READY, manual=True)
    return [t for t in found if spec_name is None or t.task_spec.name == spec_name]


# ---- the real diagrams, through their scenarios ------------------------------------------

SCENARIOS = [
    (test_icpc, "test_happy_path_to_a_plan_hands_over_to_core_group_and_reviews"),
    (test_icpc, "test_invitations_create_people_and_one_report_task_per_agency"),
    (test_icpc, "test_a_missed_deadline_reminds_then_escalates_twice_then_needs_a_reason"),
    (test_icpc, "test_holding_the_conference_ends_the_preparation_still_open"),
    (test_icpc, "test_requests_to_exclude_or_withhold_go_to_the_chair"),
    (test_rcpc, "test_a_review_that_continues_the_plan_changes_the_category_and_sets_the_next"),
    (test_rcpc, "test_a_late_review_escalates_and_needs_a_reason"),
    (test_rcpc, "test_core_group_meetings_continue_at_the_council_interval"),
    (test_rcpc, "test_a_late_core_group_is_escalated_and_explained"),
    (test_end_plan, "test_a_transfer_out_records_the_receiving_council"),
]


def every_scenario(test):
    """Run `test(module, name, reload, ...)` for every scenario, with the workflow kept in
    memory between steps and reloaded from its saved state before every step."""
    ids = [name.removeprefix("test_") for _, name in SCENARIOS]
    test = pytest.mark.parametrize("module,name", SCENARIOS, ids=ids)(test)
    ids = ["in-memory", "reload-every-step"]
    return pytest.mark.parametrize("reload", [False, True], ids=ids)(test)


@every_scenario
def test_every_save_of_a_scenario_matches_the_stock_serializer(
    module, name, reload, db, engine, clock, monkeypatch
):
    saves = []

    def checked(workflow):
        saves.append(same_as_stock(workflow))
        return saves[-1]

    monkeypatch.setattr(serialization, "dumps", checked)
    getattr(module, name)(Case(db, engine, clock, reload=reload))
    assert len(saves) >= 4
    assert any('"subprocesses": {"' in state for state in saves) or module is not test_icpc


# ---- a long loop, with every kind of value in its data -----------------------------------


def loop_workflow() -> BpmnWorkflow:
    diagram = registry.parse((DIAGRAMS / "loop.bpmn").read_bytes(), "loop.bpmn")
    workflow = BpmnWorkflow(
        diagram.spec, diagram.subprocess_specs, script_engine=vocabulary.LANGUAGE.script_engine()
    )
    workflow.do_engine_steps()
    return workflow


ODD_VALUES = {
    "when": datetime(2027, 1, 11, 10, 30, tzinfo=UTC),
    "naive": datetime(2027, 1, 11, 10, 30),
    "span": timedelta(days=3, seconds=7),
    "ref": UUID("12345678-1234-5678-1234-567812345678"),
    "tags": {"police"},
    "pair": (1, "two"),
    "nested": [[1, [2, {"x": None, "y": [True, 1.5, -0.0]}]], {"k": ["é", "\u2028", 10**30]}],
    "empty": {"list": [], "dict": {}, "text": ""},
    "flag": False,
    "number": 1,
    "inner_when": {"at": [datetime(2026, 3, 2, tzinfo=UTC)]},
}


def test_a_long_loop_matches_at_every_step_with_odd_values_in_its_data():
    workflow = loop_workflow()
    workflow.data["about"] = "the workflow's own data"
    workflow.data["callback"] = len  # left out of the workflow's data
    workflow.task_tree.data["root_callback"] = print  # written as null in the root's data
    same_as_stock(workflow)
    for n in range(120):
        task = ready(workflow)[0]
        values = {"visit": n, "stop": False}
        if n % 7 == 3:
            values.update(ODD_VALUES)
        if n % 11 == 5:
            values["function"] = len  # a callable in a delta: null
            values["module"] = json
        task.set_data(**values)
        if n % 5 == 4:
            for key in ("tags", "pair", "nested", "function", "module"):
                task.data.pop(key, None)  # deletions in the delta
        if n % 13 == 0:
            task.internal_data["callback"] = len  # left out of internal data
            task.internal_data["seen"] = [n, {"when": ODD_VALUES["when"]}]
        if n in (0, 1, 2, 5, 33, 50, 77, 100, 119) or n % 10 == 9:
            same_as_stock(workflow)
        task.run()
        workflow.do_engine_steps()
        if n in (0, 1, 2, 5, 33, 50, 77, 100, 119) or n % 10 == 9:
            same_as_stock(workflow)
    ready(workflow)[0].set_data(stop=True)
    ready(workflow)[0].run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    same_as_stock(workflow)


@pytest.mark.parametrize("value", [date(2027, 1, 11), Decimal("1.50")])
def test_values_json_cannot_hold_fail_the_same_way(value):
    workflow = loop_workflow()
    ready(workflow)[0].set_data(value=value)
    with pytest.raises(TypeError) as stock:
        REFERENCE.serialize_json(workflow)
    with pytest.raises(TypeError) as fast:
        serialization.dumps(workflow)
    assert str(fast.value) == str(stock.value)
    assert not serialization.serializer().registry._encoder_mode


# ---- finished tasks written once ---------------------------------------------------------


def finished(workflow) -> list:
    return [t for t in workflow.tasks.values() if t.state == TaskState.COMPLETED]


def written_again(workflow, monkeypatch) -> int:
    """Save, insist on the stock bytes, and count the tasks written from scratch."""
    calls = []
    real = serialization._task_dict
    monkeypatch.setattr(
        serialization, "_task_dict", lambda *args: calls.append(args[1]) or real(*args)
    )
    same_as_stock(workflow)  # which also saves a reloaded copy: its tasks are not counted
    monkeypatch.setattr(serialization, "_task_dict", real)
    return sum(task.workflow is workflow for task in calls)


def test_a_finished_task_is_written_once_while_it_stays_as_it_was(monkeypatch):
    workflow = loop_workflow()
    loop_steps(workflow, 30)
    assert written_again(workflow, monkeypatch) == len(workflow.tasks)
    assert written_again(workflow, monkeypatch) == len(workflow.tasks)  # kept from this save
    assert written_again(workflow, monkeypatch) == len(workflow.tasks) - len(finished(workflow))
    assert len(finished(workflow)) > 80


@pytest.mark.parametrize(
    "change",
    [
        "data in place",
        "nested data in place",
        "parent data in place",
        "internal data in place",
        "a child added",
        "a child dropped",
        "state",
        "state change time",
        "triggered",
        "data replaced",
        "a whole number made a decimal",
        "a number made a flag",
    ],
)
def test_a_finished_task_changed_in_any_way_is_written_again(change, monkeypatch):
    workflow = loop_workflow()
    ready(workflow)[0].set_data(nested={"visits": [1, 2]})
    loop_steps(workflow, 6)
    same_as_stock(workflow)
    same_as_stock(workflow)  # its finished tasks are kept from this save
    assert written_again(workflow, monkeypatch) < len(workflow.tasks) / 2
    task = finished(workflow)[-4]
    {
        "data in place": lambda: task.data.update(visit="changed"),
        "nested data in place": lambda: task.data["nested"]["visits"].append(3),
        "parent data in place": lambda: task.parent.data.update(extra=1),
        "internal data in place": lambda: task.internal_data.update(seen=True),
        "a child added": lambda: task._children.append(task._children[0]),
        "a child dropped": lambda: task._children.clear(),
        "state": lambda: setattr(task, "_state", TaskState.CANCELLED),
        "state change time": lambda: setattr(task, "last_state_change", 12.5),
        "triggered": lambda: setattr(task, "triggered", not task.triggered),
        "data replaced": lambda: setattr(task, "data", dict(task.data, visit="other")),
        # Equal by `==`, written otherwise: 2.0 is not 2, nor true 1.
        "a whole number made a decimal": lambda: task.data["nested"]["visits"].__setitem__(1, 2.0),
        "a number made a flag": lambda: task.data["nested"]["visits"].__setitem__(0, True),
    }[change]()
    assert written_again(workflow, monkeypatch) >= 1  # same_as_stock inside: the same bytes


def test_a_value_that_cannot_be_copied_is_written_every_time(monkeypatch):
    workflow = loop_workflow()
    ready(workflow)[0].set_data(module=json, function=len)  # both written as null
    loop_steps(workflow, 8)
    kept = [
        t
        for t in finished(workflow)
        if "module" not in t.data and (t.parent is None or "module" not in t.parent.data)
    ]
    assert 0 < len(kept) < 5 < len(finished(workflow))  # those from before the value came
    assert written_again(workflow, monkeypatch) == len(workflow.tasks)
    assert written_again(workflow, monkeypatch) == len(workflow.tasks)
    assert written_again(workflow, monkeypatch) == len(workflow.tasks) - len(kept)


def test_a_young_instance_is_written_whole():
    """Mostly tasks still to come, rewritten on every save anyway: nothing is kept."""
    workflow = loop_workflow()
    loop_steps(workflow, 2)
    for _ in range(3):
        same_as_stock(workflow)
    assert not any(serialization._KEPT in task.__dict__ for task in workflow.tasks.values())
    loop_steps(workflow, 6)
    for _ in range(2):
        same_as_stock(workflow)
    assert all(serialization._KEPT in task.__dict__ for task in finished(workflow))


def test_serialize_json_called_directly_writes_every_task_itself():
    workflow = loop_workflow()
    loop_steps(workflow, 5)
    serialization.dumps(workflow)
    assert serialization.serializer().serialize_json(workflow) == REFERENCE.serialize_json(workflow)


def loop_steps(workflow, count: int) -> None:
    for n in range(count):
        task = ready(workflow)[0]
        task.set_data(visit=n, stop=False)
        task.run()
        workflow.do_engine_steps()


# ---- a call activity, an embedded subprocess, a multi-instance task ----------------------


def nested_workflow() -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAMS / "nested.bpmn"))
    workflow = BpmnWorkflow(parser.get_spec("nested"), parser.get_subprocess_specs("nested"))
    workflow.do_engine_steps()
    return workflow


def test_subprocesses_and_multi_instance_tasks_match_at_every_step():
    workflow = nested_workflow()
    same_as_stock(workflow)
    first = ready(workflow, "first")[0]
    first.set_data(items=["a", "b", "c"], when=ODD_VALUES["when"])
    first.run()
    workflow.do_engine_steps()
    assert workflow.bpmn_events  # the signal nobody inside catches, kept for the outside
    state = json.loads(same_as_stock(workflow))
    assert len(state["subprocesses"]) == 2  # the call activity's, and the one inside it
    inner = ready(workflow, "inner_task")[0]
    inner.set_data(inner_answer=ODD_VALUES["nested"])
    inner.run()
    workflow.do_engine_steps()
    same_as_stock(workflow)
    for _ in range(3):
        each = ready(workflow)[0]
        each.set_data(answer=each.data["item"].upper(), span=ODD_VALUES["span"])
        each.run()
        workflow.do_engine_steps()
        same_as_stock(workflow)
    last = ready(workflow, "last")[0]
    last.run()
    workflow.do_engine_steps()
    assert workflow.is_completed()
    same_as_stock(workflow)


def test_the_registrys_full_conversion_is_left_to_spiffworkflow():
    """Outside `serialize_json` the registry converts data itself; that path is not ours."""
    workflow = nested_workflow()
    ready(workflow)[0].set_data(items=["a"], when=ODD_VALUES["when"])
    ready(workflow)[0].run()
    workflow.do_engine_steps()
    assert serialization.serializer().to_dict(workflow) == REFERENCE.to_dict(workflow)


def test_each_thread_saves_with_its_own_serializer():
    """A save in one thread must not switch the encoder mode off under a save in another."""
    found = []
    worker = threading.Thread(target=lambda: found.append(serialization.serializer()))
    worker.start()
    worker.join()
    assert found[0] is not serialization.serializer()
    assert found[0].registry is not serialization.serializer().registry
