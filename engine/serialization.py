"""Instance state as JSON, without the process spec.

SpiffWorkflow embeds the whole spec in every serialized instance (about half the bytes of a
small one) and rebuilds it on every load. Specs are kept once per deployed version instead
(`registry.SpecCache`), and an instance's JSON holds only its task tree and data; loading
hands the cached spec objects back in.

Every step saves the whole tree, so `dumps` is on the path of every completion and timer
firing, and a long-running instance (a repeated step, hundreds of tasks) paid most of its step
in SpiffWorkflow's generic conversion: each task went through the registry's type lookup, a
`functools.partial`, a dict update for its type name and four `str(UUID)` calls. The
converters below build the very same dictionaries directly: the fixed fields of a task are
written as they are, each id is turned into a string once per save, and task data is left,
exactly as before, to the JSON encoder (which calls the registry only for values JSON cannot
hold). The document is identical to the stock converters' (tests/engine/test_serialization.py
compares them over the real diagrams), so stored states and `loads` are unaffected.
"""

from __future__ import annotations

import json
import threading
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task

from .task_scan import ScannedWorkflow


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """The stock workflow converter without the spec: the reference the fast one must match."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _fields(converter, workflow) -> dict | None:
    """`WorkflowConverter.to_dict` of `workflow`, tasks written directly; None to fall back.

    Only in the registry's encoder mode (`serialize_json`, which `dumps` uses): there a value
    is converted by the JSON encoder, so a task's data and delta stay as they are. Any other
    use of the registry (a full conversion to plain dicts) takes SpiffWorkflow's own path.
    """
    registry = converter.registry
    if not registry._encoder_mode:
        return None
    tasks = _tasks(registry, workflow)
    if tasks is None:
        return None
    last_task = workflow.last_task
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(last_task.id) if last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": tasks,
        "root": str(workflow.task_tree.id),
    }


def _tasks(registry, workflow) -> dict | None:
    """`mapping_to_dict(workflow.tasks)` with the stock task converter's dict for each task.

    Same keys in the same order as `TaskConverter.to_dict` plus the `typename` that
    `DictionaryConverter._obj_to_dict` appends; the data delta is `DeepMerge.get_updated_keys`
    and `get_deleted_keys` written out. None if any task is not a plain `Task` of this
    workflow (then the registry would not have used `TaskConverter` for it the same way).
    """
    if registry.typenames.get(Task) != "Task":
        return None
    all_tasks = workflow.tasks
    ids = {task_id: str(task_id) for task_id in all_tasks}
    result = {}
    for task_id, task in all_tasks.items():
        if task.__class__ is not Task or task.workflow is not workflow:
            return None
        if task.id is not task_id and task.id != task_id:  # its "id" is written, not the key
            return None
        parent_id = task._parent
        parent = all_tasks.get(parent_id)
        data = task.data
        if parent is None:
            delta = {}
        else:
            before = parent.data
            delta = {
                "updates": {k: data[k] for k in data if k not in before or data[k] != before[k]},
                "deletions": [k for k in before if k not in data],
            }
            data = {}
        result[ids[task_id]] = {
            "id": ids[task_id],
            "parent": ids[parent_id] if parent is not None else None,
            "children": [ids.get(c) or str(c) for c in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
            "typename": "Task",
        }
    return result


class _FastWorkflowConverter(_StateOnlyWorkflowConverter):
    def to_dict(self, workflow):
        dct = _fields(self, workflow)
        if dct is None:
            return super().to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class _FastSubWorkflowConverter(BpmnSubWorkflowConverter):
    def to_dict(self, workflow):
        dct = _fields(self, workflow)
        if dct is None:
            return super().to_dict(workflow)
        dct["parent_task_id"] = str(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct


def _serializer(fast: bool = True) -> BpmnWorkflowSerializer:
    """The spec-less serializer; `fast=False` is SpiffWorkflow's own conversion (for tests)."""
    config = dict(SPIFF_CONFIG)
    workflow_converter = _FastWorkflowConverter if fast else _StateOnlyWorkflowConverter
    config[BpmnWorkflow] = workflow_converter
    if fast:
        config[BpmnSubWorkflow] = _FastSubWorkflowConverter
    registry = BpmnWorkflowSerializer.configure(config)
    # The engine's own class, written under the stock name (so stored states do not change)
    # and what a stored "BpmnWorkflow" now loads as.
    workflow_converter(ScannedWorkflow, registry, typename="BpmnWorkflow")
    return BpmnWorkflowSerializer(registry)


class _PerThread(threading.local):
    """One serializer per thread. `serialize_json` sets a mode flag on its registry while it
    runs, so two threads sharing one (a request and the scheduler's sweep in the same worker)
    could switch it off under each other mid-save."""

    def __init__(self):
        self.serializer = _serializer()


_local = _PerThread()


def serializer() -> BpmnWorkflowSerializer:
    return _local.serializer


def dumps(workflow: BpmnWorkflow) -> str:
    return _local.serializer.serialize_json(workflow)


def loads(state: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    dct = json.loads(state)
    chosen = _local.serializer
    chosen.migrate(dct)
    workflow = chosen.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow
