"""Tasks restored from a saved state without SpiffWorkflow's generic restoration.

Loading a state is what a step pays whenever its workflow is not the one this worker kept
from the case's last step: with two workers, about every other step of a busy case. The
stock path builds each task through the registry (a type lookup, a copied dictionary, a
`partial`), makes a new `UUID` from text four times per task (its key, its id, its parent's
and each child's), and copies its parent's data with `DeepMerge` walking every key. An ICPC
after its invitations holds about 140 tasks in 80 kB and took 7 ms to load.

`tasks` does what `TaskConverter.from_dict` does, task by task, in the same order, for the
plain `Task` records every state here holds: each id's `UUID` made once, the parent's data
copied as `DeepMerge.merge({}, data)` copies it (each top-level container copied one level
deep, everything else shared), and the registry asked only about values JSON cannot hold.
Any other record (a task class a future SpiffWorkflow writes differently) falls back to the
stock restoration for the whole mapping. tests/engine/workflow/test_task_loading.py loads
the real diagrams' states both ways and compares every task.
"""

from __future__ import annotations

from copy import copy
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# The values JSON holds as they are, which neither a save nor a load need convert or copy.
ATOMIC = frozenset((str, int, float, bool, type(None)))
_CONTAINERS = (dict, list, set)


def tasks(converter, records: dict, workflow) -> dict:
    """`converter.mapping_from_dict(records, UUID, workflow=workflow)`, made directly."""
    registry = converter.registry
    if not _plain_records(registry, records):
        return converter.mapping_from_dict(records, UUID, workflow=workflow)
    ids: dict[str, UUID] = {}

    def uuid(text: str) -> UUID:
        found = ids.get(text)
        if found is None:
            found = ids[text] = UUID(text)
        return found

    specs = workflow.spec.task_specs
    waiting = TaskState.WAITING
    restored = {}
    for key, record in records.items():
        spec = specs.get(record["task_spec"])
        task = Task(workflow, spec, state=record["state"], id=uuid(record["id"]))
        parent_id = record["parent"]
        task._parent = uuid(parent_id) if parent_id is not None else None
        task._children = [uuid(child) for child in record["children"]]
        task.last_state_change = record["last_state_change"]
        task.triggered = record["triggered"]
        task.internal_data = _restored(registry, record["internal_data"])
        if isinstance(spec, CatchingEvent) and task._state & waiting:
            workflow.top_workflow.event_manager.add_task(task)
        delta = record.get("delta")
        parent = workflow.tasks.get(task._parent) if task._parent is not None else None
        if delta and parent is not None:
            data = {k: copy(v) if isinstance(v, _CONTAINERS) else v for k, v in parent.data.items()}
            data.update(_restored(registry, delta.get("updates", {})))
            for name in delta.get("deletions", {}):
                if name in data:
                    del data[name]
        else:
            data = _restored(registry, record["data"])
        task.data = data
        restored[uuid(key)] = task
    return restored


def _plain_records(registry, records: dict) -> bool:
    """Whether every record is a plain task the registry would give `TaskConverter`."""
    restore_task = registry.convert_from_dict.get("Task")
    if restore_task is None or getattr(restore_task, "args", None) is None:
        return False
    bound = restore_task.args[0]  # the `partial`'s function: a bound `from_dict`
    if getattr(bound, "__func__", None) is not TaskConverter.from_dict:
        return False
    if getattr(bound.__self__, "target_class", None) is not Task:
        return False
    return all(type(r) is dict and r.get("typename") == "Task" for r in records.values())


def _restored(registry, value):
    """`registry.restore(value)`, without its walk for a dict of text, numbers and flags."""
    if (
        type(value) is dict
        and "typename" not in value
        and all(type(v) in ATOMIC for v in value.values())
    ):
        return dict(value)
    return registry.restore(value)
