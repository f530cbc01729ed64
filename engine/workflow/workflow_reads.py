"""What a loaded workflow knows, read without changing it: for forms, the diagram and the case.

The engine loads the instance's workflow (from its cache, or the database) and asks here.
"""

from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState


def task_data(workflow: BpmnWorkflow, task_id: UUID) -> dict:
    """What the task knows (everything entered before it): a copy, for prefilling forms."""
    spiff_task = workflow.get_task_from_id(task_id)
    return dict(spiff_task.data) if spiff_task is not None else {}


def element_states(workflow: BpmnWorkflow) -> dict[str, str]:
    """Each diagram element the instance reached: `completed` or `active` (for the diagram).

    An element run more than once (a repeated step) shows its latest state: active wins.
    """
    states: dict[str, str] = {}
    for task in workflow.get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        if task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            states[element] = "active"
        elif task.state == TaskState.COMPLETED and states.get(element) != "active":
            states[element] = "completed"
    return states


def instance_data(workflow: BpmnWorkflow) -> dict:
    """What the workflow knows now: the data of its waiting steps, or of its last step."""
    waiting = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if waiting:
        merged: dict = {}
        for task in waiting:
            merged.update(task.data)
        return merged
    done = workflow.get_tasks(state=TaskState.COMPLETED)
    latest = max(done, key=lambda t: t.last_state_change, default=None)
    return dict(latest.data) if latest is not None else dict(workflow.data)
