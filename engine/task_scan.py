"""Two questions asked after every step, answered from the task dictionaries, not the tree.

SpiffWorkflow answers "which user tasks are ready" (`get_tasks(state=READY, manual=True)`) and
"has the workflow ended" (`is_completed`) by walking the task tree from its root with its task
iterator, a few microseconds per task. An instance keeps every finished task, so a case whose
step repeats pays for its whole history on each save. Each workflow (and subprocess) already
holds its tasks in a dictionary: scanning it for the few candidates by state costs almost
nothing, and only those candidates need their path to the root checked.

The answers are exactly the walk's: a candidate counts only if the walk would reach it (every
ancestor one the iterator descends into, each child listed by its parent, the chain ending at
the workflow's root, a subprocess only through the task that owns it), and the ready tasks
come in the walk's depth-first order (a subprocess before its owner's children). The iterator
stops descending at depth `MAX_DEPTH`; a workflow with that many tasks could be that deep, so
it is left to the walk. tests/engine/test_task_scan.py compares both over the scenarios.
"""

from __future__ import annotations

import inspect

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskIterator, TaskState

MAX_DEPTH = inspect.signature(TaskIterator.__init__).parameters["max_depth"].default
_READY = TaskState.READY
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK
# The least state of a task whose children the walk visits: `TaskIterator.__init__`.
_READY_WALK_MIN = TaskState.FUTURE  # READY is a definite state, not a predicted one
_ANY_WALK_MIN = TaskState.MAYBE  # NOT_FINISHED_MASK includes the predicted states


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    """`workflow.get_tasks(state=TaskState.READY, manual=True)`, the same tasks in its order."""
    workflows = [workflow, *workflow.subprocesses.values()]
    if sum(len(each.tasks) for each in workflows) >= MAX_DEPTH:
        return workflow.get_tasks(state=_READY, manual=True)
    found = []
    for each in workflows:
        for task in each.tasks.values():
            if _is_ready_user_task(task):
                position = _position(workflow, task)
                if position is not None:
                    found.append((position, task))
    if len(found) > 1:
        found.sort(key=lambda item: item[0])
    return [task for _, task in found]


def is_completed(workflow: BpmnWorkflow) -> bool:
    """`workflow.is_completed()`: no unfinished task the walk reaches in the top workflow.

    While one is found this answers alone; otherwise SpiffWorkflow's own method gives the
    answer (and marks the workflow completed, as it does), which happens once per instance.
    """
    if workflow.completed or len(workflow.tasks) >= MAX_DEPTH:
        return workflow.is_completed()
    for task in workflow.tasks.values():
        unfinished = task._state & _NOT_FINISHED and task.last_state_change >= 0
        if unfinished and _reached(workflow, task, _ANY_WALK_MIN, None) is not None:
            return False
    return workflow.is_completed()


def _is_ready_user_task(task) -> bool:
    """The filter of `get_tasks(state=READY, manual=True)`: `TaskFilter.matches`."""
    return bool(
        task._state & _READY
        and task.task_spec.manual == True  # noqa: E712 - the filter compares with ==
        and task.last_state_change >= 0  # its `updated_ts`
    )


def _reached(workflow, task, min_state: int, top) -> list[int] | None:
    """The child indexes from `workflow`'s root down to `task` (deepest first), or None if
    the walk would not reach it. `top` is the top workflow when subprocesses count (the BPMN
    iterator descends into any task that owns one, whatever its state), else None."""
    path = []
    tasks = workflow.tasks
    node = task
    while node._parent is not None:
        parent = tasks.get(node._parent)
        if parent is None or parent.task_spec.name is None:
            return None
        if parent._state < min_state and (top is None or parent.id not in top.subprocesses):
            return None
        try:
            path.append(parent._children.index(node.id) + 1)  # 0 is a subprocess's root
        except ValueError:
            return None
        node = parent
    return path if node is workflow.task_tree else None


def _position(top: BpmnWorkflow, task) -> tuple[int, ...] | None:
    """Where the BPMN iterator meets `task` in its depth-first walk from the top root."""
    path: list[int] = []
    while True:
        workflow = task.workflow
        if workflow.top_workflow is not top:
            return None
        steps = _reached(workflow, task, _READY_WALK_MIN, top)
        if steps is None:
            return None
        path += steps
        if workflow is top:
            return tuple(reversed(path))
        owner = top.get_task_from_id(workflow.parent_task_id)
        if owner is None or top.subprocesses.get(owner.id) is not workflow:
            return None
        if owner.task_spec.name is None or not _enters_subprocess(owner):
            return None
        path.append(0)
        task = owner


def _enters_subprocess(owner) -> bool:
    """`BpmnTaskIterator._next` skips a finished subprocess when looking for unfinished tasks
    (a state at or above FINISHED_MASK, for a filter state at or below it)."""
    return not (owner._state >= TaskState.FINISHED_MASK and _READY <= TaskState.FINISHED_MASK)


# SpiffWorkflow's walk stops descending at MAX_DEPTH: a task deeper than that is invisible to
# `get_tasks` and `is_completed`, so the instance would look finished with work still waiting
# (a step looping a few hundred times in one workflow). The engine refuses to save a workflow
# this deep, well before the walk goes blind: the case stays as it was, with a clear error.
DEPTH_LIMIT = MAX_DEPTH - 100


def too_deep(workflow: BpmnWorkflow) -> bool:
    """Whether any task lies DEPTH_LIMIT or more levels below the root, through subprocesses."""
    workflows = [workflow, *workflow.subprocesses.values()]
    if sum(len(each.tasks) for each in workflows) < DEPTH_LIMIT:
        return False  # fewer tasks than that cannot make a chain that long
    depths: dict = {}
    return any(
        _depth(workflow, task, depths) >= DEPTH_LIMIT
        for each in workflows
        for task in each.tasks.values()
    )


def _depth(top: BpmnWorkflow, task, depths: dict) -> int:
    """Levels from the top root to `task`, counting a subprocess's root as its owner's child."""
    chain, node = [], task
    while node is not None and node.id not in depths:
        chain.append(node)
        parent = node.workflow.tasks.get(node._parent) if node._parent is not None else None
        if parent is None and node.workflow is not top:
            parent = top.get_task_from_id(node.workflow.parent_task_id)
        node = parent
    level = depths[node.id] if node is not None else -1
    for each in reversed(chain):
        level += 1
        depths[each.id] = level
    return level
