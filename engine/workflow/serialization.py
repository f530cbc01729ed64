"""Instance state as JSON, without the process spec.

SpiffWorkflow embeds the whole spec in every serialized instance (much of a small one's
bytes) and rebuilds it on every load. Specs are kept once per deployed version instead
(`registry.SpecCache`), and an instance's JSON holds only its task tree and data; loading
hands the cached spec objects back in.

Every step saves the whole tree, so `dumps` is on the path of every completion and timer
firing, and its cost grows with a case's history (a repeated step, hundreds of tasks).
SpiffWorkflow's generic conversion does general-purpose work for each task (a registry type
lookup, a `functools.partial`, a type-name update, `str(UUID)` calls) that a known task shape
does not need, so the converters below build the very same dictionaries directly: the fixed
fields of a task are written as they are, and task data is left, as the stock converters leave
it, to the JSON encoder (which calls the registry only for values JSON cannot hold). Once an
instance is mostly history, `dumps` also keeps each finished task's JSON and writes only what
changed (below). The document is identical to the stock converters'
(tests/engine/workflow/test_serialization.py compares them over the real diagrams), so stored
states and `loads` are unaffected.
"""

from __future__ import annotations

import json
import marshal
import threading
from secrets import token_hex
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
from SpiffWorkflow.util.task import TaskState

from engine.workflow import task_loading
from engine.workflow.task_scan import ScannedSubWorkflow, ScannedWorkflow


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """The stock workflow converter without the spec: the reference the fast one must match."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self._tasks_from_dict(dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def _tasks_from_dict(self, records, workflow):
        return self.mapping_from_dict(records, UUID, workflow=workflow)


def _fields(converter, workflow) -> dict | None:
    """`WorkflowConverter.to_dict` of `workflow`, tasks written directly; None to fall back.

    Only in the registry's encoder mode (`serialize_json`, which `dumps` uses): there a value
    is converted by the JSON encoder, so a task's data and delta stay as they are. Any other
    use of the registry (a full conversion to plain dicts) takes SpiffWorkflow's own path.
    """
    registry = converter.registry
    if not registry._encoder_mode or registry.typenames.get(Task) != "Task":
        return None  # (a registry with its own task class would not write tasks as below)
    splice = _local.splice
    if splice is None or not _mostly_finished(workflow):
        tasks = _tasks(registry, workflow)
    else:
        tasks = _spliced_tasks(registry, workflow, splice)
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
    all_tasks = workflow.tasks
    result = {}
    for task_id, task in all_tasks.items():
        if not _plain(task, task_id, workflow):
            return None
        result[_name(task)] = _task_dict(registry, task, all_tasks.get(task._parent), all_tasks)
    return result


def _plain(task, task_id, workflow) -> bool:
    """A plain `Task` of this workflow, stored under its own id (the id is written, not the
    key)."""
    return (
        task.__class__ is Task
        and task.workflow is workflow
        and (task.id is task_id or task.id == task_id)
    )


def _task_dict(registry, task, parent, all_tasks: dict) -> dict:
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
    return {
        "id": _name(task),
        "parent": _name(parent) if parent is not None else None,
        "children": [_child_name(child, all_tasks) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task.state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": _internal_data(registry, task.internal_data),
        "data": data,
        "delta": delta,
        "typename": "Task",
    }


_NAME = "_cpc_id"  # the attribute holding a task's id as text, with the id it was made from


def _name(task) -> str:
    """`str(task.id)`, made once per task: each save writes every id about four times, and
    a UUID made text costs more than a lookup. (Tasks here are `_plain`.)"""
    kept = task.__dict__.get(_NAME)
    if kept is None or kept[0] is not task.id:
        kept = task.__dict__[_NAME] = (task.id, str(task.id))
    return kept[1]


def _child_name(child_id, all_tasks: dict) -> str:
    child = all_tasks.get(child_id)
    return _name(child) if child is not None else str(child_id)


def _internal_data(registry, internal):
    """`registry.convert(internal)` in encoder mode, without its lookups for a plain dict
    of text, numbers and flags (what SpiffWorkflow keeps there): a copy of it."""
    atomic = type(internal) is dict and dict not in registry.typenames
    if atomic and all(type(value) in _ATOMIC for value in internal.values()):
        return dict(internal)
    return registry.convert(internal)


_ATOMIC = task_loading.ATOMIC


# ---- finished tasks written once --------------------------------------------------------
#
# A finished task of a long case is written again, unchanged, on every save: in a case whose
# step repeats, that soon outweighs the rest of the save. `dumps` therefore keeps each finished
# task's JSON text on the task, with what it was written from, and writes the task again only
# when any of that differs. What it was written from is compared in full: the fields, the
# children, and the task's data, its parent's data (its delta) and its internal data as
# marshal writes them, so a change made in place anywhere inside them is a change, and so is
# one that `==` cannot see but JSON would write (`true` for `1`). A value marshal cannot write
# (anything but text, numbers, flags and None, in dicts, lists, tuples and sets) makes its
# task written every time. A task is kept from its second save on: a workflow loaded, run and
# saved once (a timer firing, a case another worker had) never pays for the snapshots. Only a
# workflow that is mostly history is written this way (`_mostly_finished`).

_FINISHED = TaskState.FINISHED_MASK
_KEEP_FROM = 16  # finished tasks, and at least twice as many as the unfinished ones


def _mostly_finished(workflow) -> bool:
    """Whether keeping finished tasks pays: each task written on its own costs a little more
    than all in one go, so a young instance (mostly predicted and waiting tasks, rewritten on
    every save anyway) is written whole, and one with a long history is spliced."""
    finished = sum(1 for task in workflow.tasks.values() if task._state & _FINISHED)
    return finished >= _KEEP_FROM and finished >= 2 * (len(workflow.tasks) - finished)


_KEPT = "_cpc_json"  # the attribute holding a finished task's JSON and what it was made from
_SEEN = "saved once"  # ... or saying the task was saved finished once


def _spliced_tasks(registry, workflow, splice: dict) -> str | None:
    """A marker for the JSON text of `workflow.tasks` (which `dumps` puts in its place), the
    text made from each finished task's kept JSON where it still holds; None to fall back."""
    all_tasks = workflow.tasks
    encoder = splice["encoder"]
    snapshots: dict = {}
    parts = []
    for task_id, task in all_tasks.items():
        if not _plain(task, task_id, workflow):
            return None
        parent = all_tasks.get(task._parent)
        kept = task.__dict__.get(_KEPT)
        # For a task saved before: what it is made of now, to compare and then to keep again.
        made = _written_from(task, parent, snapshots) if kept is not None else None
        if made is not None and kept is not _SEEN and made == kept[0]:
            parts.append(kept[1])
            continue
        text = f'"{_name(task)}": ' + encoder.encode(_task_dict(registry, task, parent, all_tasks))
        if not task._state & _FINISHED:
            kept = None
        elif kept is None:
            kept = _SEEN  # its first save: kept from the next, if the workflow lives that long
        else:
            kept = (made, text) if made is not None else _SEEN
        task.__dict__[_KEPT] = kept
        parts.append(text)
    marker = f"\x00cpc-tasks-{splice['token']}-{len(splice['texts'])}"
    splice["texts"][json.dumps(marker)] = "{" + ", ".join(parts) + "}"
    return marker


def _written_from(task, parent, snapshots: dict) -> tuple | None:
    """Everything a task's JSON is made of, as it is now; None if marshal cannot write some
    value of it (then the task is written every time)."""
    try:
        return _made_of(task, parent, snapshots)
    except ValueError:  # a value marshal cannot write
        return None


def _made_of(task, parent, snapshots: dict) -> tuple:
    """The task's ids and its spec's name, compared as they are, and the rest as marshal writes
    them, so a value equal to the old one but written otherwise in JSON (`1.0` or `true` for
    `1`, a key moved) is a change where `==` would call it the same."""
    return (
        task.id,
        task._parent,
        tuple(task._children),
        task.task_spec.name,
        marshal.dumps((task.last_state_change, task._state, task.triggered), _PLAIN),
        _snapshot(task.data, snapshots),
        _snapshot(parent.data, snapshots) if parent is not None else None,
        _snapshot(task.internal_data, snapshots),
    )


# Marshal's version 2 writes values only: from version 3 on it marks objects met twice, so the
# same values could be written differently as other references to them come and go.
_PLAIN = 2


def _snapshot(value, snapshots: dict) -> bytes:
    """`value` as marshal writes it, once per save for each object: a parent's data serves
    itself and all its children (nothing changes while a save runs)."""
    found = snapshots.get(id(value))
    if found is None:  # (the value is kept with its bytes, so its id stays its own)
        found = snapshots[id(value)] = (value, marshal.dumps(value, _PLAIN))
    return found[1]


class _FastWorkflowConverter(_StateOnlyWorkflowConverter):
    def to_dict(self, workflow):
        dct = _fields(self, workflow)
        if dct is None:
            return super().to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def _tasks_from_dict(self, records, workflow):
        return task_loading.tasks(self, records, workflow)


class _FastSubWorkflowConverter(BpmnSubWorkflowConverter):
    def to_dict(self, workflow):
        dct = _fields(self, workflow)
        if dct is None:
            return super().to_dict(workflow)
        dct["parent_task_id"] = str(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct

    def from_dict(self, dct, task, top_workflow):  # the stock one, tasks made directly
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = task_loading.tasks(self, dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


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
    subworkflow_converter = _FastSubWorkflowConverter if fast else BpmnSubWorkflowConverter
    subworkflow_converter(ScannedSubWorkflow, registry, typename="BpmnSubWorkflow")
    return BpmnWorkflowSerializer(registry)


class _PerThread(threading.local):
    """One serializer per thread. `serialize_json` sets a mode flag on its registry while it
    runs, so two threads sharing one (a request and the scheduler's sweep in the same worker)
    could switch it off under each other mid-save."""

    def __init__(self):
        self.serializer = _serializer()
        self.splice: dict | None = None  # set while `dumps` runs


_local = _PerThread()


def serializer() -> BpmnWorkflowSerializer:
    return _local.serializer


def dumps(workflow: BpmnWorkflow) -> str:
    """The workflow's JSON: `serialize_json`'s very text, each workflow's tasks written from
    the finished tasks' kept JSON (above) and put in place of their marker."""
    _drop_orphans(workflow)
    serializer = _local.serializer
    splice = {"encoder": serializer._encoder_cls(), "token": token_hex(8), "texts": {}}
    _local.splice = splice
    try:
        text = serializer.serialize_json(workflow)
    finally:
        _local.splice = None
    for marker, tasks in splice["texts"].items():
        text = text.replace(marker, tasks, 1)
    return text


def _drop_orphans(workflow: BpmnWorkflow) -> None:
    """Forget the subprocess of a task no workflow holds any more (each copy of a repeated
    subprocess, an agency's report, cancelled with the conference around it). SpiffWorkflow
    keeps it in memory but drops it when it loads a state, so a state saved with it would
    not load as it was saved."""
    while True:  # a dropped subprocess's own subprocesses go with it
        held = set(workflow.tasks)
        for sub in workflow.subprocesses.values():
            held.update(sub.tasks)
        orphans = [t for t in workflow.subprocesses if t not in held]
        if not orphans:
            return
        for task_id in orphans:
            del workflow.subprocesses[task_id]


def loads(state: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    dct = json.loads(state)
    chosen = _local.serializer
    chosen.migrate(dct)
    workflow = chosen.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow
