"""A repeated step's earlier rounds dropped from the workflow's tree before each save.

SpiffWorkflow keeps every task it ever ran: a step that repeats (a visit recorded again and
again) adds a few tasks to the tree each round and never removes any, so each later step
pays for the whole history (the walks from a task to the root, the serializer's pass over
every task, the JSON written, read and compared) and a case that loops long enough becomes too
deep to follow. The case's history is kept elsewhere (the task rows and the audit trail); the
workflow needs only what decides what happens next.

What is dropped is narrow, so nothing that decides the next step can go: on the stretch from
the root down which the case has run one path only (each task completed, with exactly one
child), a task is dropped when a later task on that stretch ran the same element. Its one
child takes its place under its parent, so the walk still reaches everything it reached,
and every element the case reached keeps its latest completed task (the diagram's
highlighting, `instance_data`, a version move's checks see it). Nothing past the first fork
(parallel branches, a boundary event, a multi-instance step) or unfinished is touched, nor
the workflow's `last_task`; a subprocess a dropped task owned is dropped with it, as
SpiffWorkflow drops one whose task is gone. Each task's data is whole in memory (only the
saved form is a delta from its parent), so the tasks kept lose nothing.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_COMPLETED = TaskState.COMPLETED


def prune(workflow: BpmnWorkflow) -> int:
    """Drop the repeated rounds from the workflow and each of its subprocesses; how many
    tasks went."""
    dropped = 0
    for each in (workflow, *list(workflow.subprocesses.values())):
        dropped += _prune_one(workflow, each)
    return dropped


def _prune_one(top: BpmnWorkflow, workflow) -> int:
    chain = _single_path(workflow)
    later: set = set()
    doomed = []
    for task in reversed(chain[1:]):  # the root stays: it is the tree's
        spec = task.task_spec
        if spec in later and task is not workflow.last_task:
            doomed.append(task)
        later.add(spec)
    tasks = workflow.tasks
    for task in doomed:
        parent = tasks[task._parent]
        child = tasks[task._children[0]]
        parent._children[parent._children.index(task.id)] = child.id
        child._parent = parent.id
        del tasks[task.id]
        top.event_manager.remove_task(task)  # (it holds waiting tasks only; to be sure)
        _drop_subprocess(top, task.id)
    return len(doomed)


def _single_path(workflow) -> list:
    """The tasks from the root along which the case ran one path only: each completed, with
    exactly one child (the task where that ends is not among them)."""
    chain = []
    tasks = workflow.tasks
    task = workflow.task_tree
    while task is not None and task._state == _COMPLETED and len(task._children) == 1:
        chain.append(task)
        task = tasks.get(task._children[0])
    return chain


def _drop_subprocess(top: BpmnWorkflow, owner_id) -> None:
    subprocess = top.subprocesses.pop(owner_id, None)
    if subprocess is None:
        return
    for task_id in list(subprocess.tasks):
        _drop_subprocess(top, task_id)
