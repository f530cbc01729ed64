"""SpiffWorkflow's questions on every step, answered from the task dictionaries, not the tree.

SpiffWorkflow answers "which tasks are ready" (`get_tasks(state=READY)`, again after each
round of `do_engine_steps`, and with `manual=True` for the people's tasks), "has the workflow
ended" (`is_completed`) and, after every task it completes, `update_waiting_tasks`, by walking
the task tree from its root with its task iterator, visiting every task. An instance
keeps every finished task, so a case whose step repeats pays for its whole history, several
times, on each step. Each workflow (and subprocess) already holds its tasks in a dictionary:
scanning it for the few candidates by state costs almost nothing, and only those candidates
need their path to the root checked. `ScannedWorkflow` is the engine's workflow class that
routes SpiffWorkflow's own calls here.

The answers are exactly the walk's: a candidate counts only if the walk would reach it (every
ancestor one the iterator descends into, each child listed by its parent, the chain ending at
the workflow's root, a subprocess only through the task that owns it), and the tasks come in
the walk's depth-first order (a subprocess before its owner's children). The iterator stops
descending at depth `MAX_DEPTH`; a workflow with that many tasks could be that deep, so it is
left to the walk. tests/engine/workflow/test_task_scan.py compares both over the scenarios, and runs
twins of the small diagrams side by side, one in each class.
"""

from __future__ import annotations

import inspect

from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskIterator, TaskState

MAX_DEPTH = inspect.signature(TaskIterator.__init__).parameters["max_depth"].default
_READY = TaskState.READY
_WAITING = TaskState.WAITING
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


def _walk_min(state: int) -> int:
    """The least state of a task whose children the walk visits: `TaskIterator.__init__`."""
    if state & TaskState.PREDICTED_MASK:
        return TaskState.MAYBE
    if state & TaskState.DEFINITE_MASK:
        return TaskState.FUTURE
    return TaskState.COMPLETED


_ANY_WALK_MIN = _walk_min(_NOT_FINISHED)
_WAITING_WALK_MIN = _walk_min(_WAITING)


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    """`workflow.get_tasks(state=TaskState.READY, manual=True)`, the same tasks in its order."""
    return tasks_in_state(workflow, _READY, manual=True)


def tasks_in_state(
    workflow,
    state: int,
    manual: bool | None = None,
    spec_name: str | None = None,
    first=None,
) -> list:
    """`workflow.get_tasks(first, state=state, manual=manual, spec_name=spec_name)` for a
    workflow or a subprocess (whose walk also enters the subprocesses its tasks own): the
    same tasks in the walk's order. From a task `first` the walk covers only what lies below
    it (itself first), whichever workflow is asked: a catching event resets the events of
    its own spec below it each time it runs (`CatchingEvent._run_hook`)."""
    if first is not None:
        workflow = first.workflow
    top = workflow.top_workflow
    workflows = [workflow, *(each for each in top.subprocesses.values() if each is not workflow)]
    if sum(len(each.tasks) for each in workflows) >= MAX_DEPTH:
        named = {} if spec_name is None else {"spec_name": spec_name}
        walk = workflow.get_tasks_iterator(first, state=state, manual=manual, **named)
        return list(walk)  # the walk
    if workflow is not top:
        workflows = _below(workflow, workflows)
    found = []
    for each in workflows:
        for task in each.tasks.values():
            if spec_name is not None and task.task_spec.name != spec_name:
                continue
            if task._state & state and _matches(task, state, manual):
                position = _position(workflow, task, state, first)
                if position is not None:
                    found.append((position, task))
    if len(found) > 1:
        found.sort(key=lambda item: item[0])
    return [task for _, task in found]


def _below(workflow, workflows: list) -> list:
    """`workflow` and the subprocesses whose owning task lies in it or (in turn) in one of
    them: the only ones whose tasks its walk can reach (`_position` refuses the others), so
    a subprocess's question no longer reads every other subprocess's tasks."""
    below = [workflow]
    rest = workflows[1:]
    grew = True
    while grew and rest:
        grew = False
        for each in list(rest):
            if any(each.parent_task_id in held.tasks for held in below):
                below.append(each)
                rest.remove(each)
                grew = True
    return below


def update_waiting_tasks(workflow) -> None:
    """`Workflow.update_waiting_tasks`, step for step, without the iterator's overhead.

    It cannot be a scan: each waiting task is updated as the walk reaches it, and an update
    can change the tree the walk goes on through (a join completing its sibling threads,
    dropping their children). So this is `TaskIterator`'s own walk, depth count included
    (`_next`, `_update_depth`, `_handle_leaf_depth`), at a fraction of its cost per task;
    and with no waiting task at all the walk would update nothing, so it is not taken.
    """
    tasks = workflow.tasks
    if not any(task._state & _WAITING for task in tasks.values()):
        return
    get = tasks.get
    pending = [workflow.task_tree]  # the iterator's task_list, next task last
    depth = 0
    while pending:
        task = pending.pop()
        if (
            task._children
            and task._state >= _WAITING_WALK_MIN
            and depth < MAX_DEPTH
            and task.task_spec.name is not None  # != end_at_spec, which is None
        ):
            pending.extend(reversed([get(child) for child in task._children]))
            depth += 1
        elif pending:  # (`Task.parent` is `workflow.tasks.get(_parent)`: read directly)
            parent, following = task._parent, pending[-1]._parent
            if following is parent or following == parent:
                pass  # the next is a sibling: the climb would end where it starts
            else:
                ancestor, current = get(following), get(parent)
                while current is not None and current is not ancestor:
                    current = get(current._parent)
                    depth -= 1
        if task._state & _WAITING and task.last_state_change >= 0:
            task.task_spec._update(task)


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


def _matches(task, state: int, manual: bool | None) -> bool:
    """`TaskFilter.matches` for a state and `manual` (its other criteria left at their
    defaults: `updated_ts` 0, no spec name, no spec class)."""
    return bool(
        task._state & state
        and task.last_state_change >= 0
        and (manual is None or task.task_spec.manual == manual)
    )


def _reached(workflow, task, min_state: int, top, start=None) -> list[int] | None:
    """The child indexes from `workflow`'s root (or the task `start` in it) down to `task`
    (deepest first), or None if the walk would not reach it. `top` is the top workflow when
    subprocesses count (the BPMN iterator descends into any task that owns one, whatever its
    state), else None."""
    start = workflow.task_tree if start is None else start
    path = []
    tasks = workflow.tasks
    node = task
    while node is not start and node._parent is not None:
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
    return path if node is start else None


def _position(start, task, state: int, first=None) -> tuple[int, ...] | None:
    """Where the BPMN iterator from `start`'s root (or from its task `first`), filtering on
    `state`, meets `task` in its depth-first walk (None if it never does)."""
    top = start.top_workflow
    min_state = _walk_min(state)
    path: list[int] = []
    while True:
        workflow = task.workflow
        if workflow.top_workflow is not top:
            return None
        steps = _reached(workflow, task, min_state, top, first if workflow is start else None)
        if steps is None:
            return None
        path += steps
        if workflow is start:
            return tuple(reversed(path))
        if workflow is top:
            return None  # `task` lies outside the subprocess the walk starts in
        owner = top.get_task_from_id(workflow.parent_task_id)
        if owner is None or top.subprocesses.get(owner.id) is not workflow:
            return None
        if owner.task_spec.name is None or not _enters_subprocess(owner, state):
            return None
        path.append(0)
        task = owner


def _enters_subprocess(owner, state: int) -> bool:
    """`BpmnTaskIterator._next` skips a finished subprocess when looking for unfinished tasks
    (a state at or above FINISHED_MASK, for a filter state at or below it)."""
    return not (owner._state >= TaskState.FINISHED_MASK and state <= TaskState.FINISHED_MASK)


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


_SCANNED_FILTERS = ({"state"}, {"spec_name"}, {"state", "spec_name"})


def _get_tasks(workflow, first_task, kwargs: dict) -> list | None:
    """`get_tasks`'s answer from the task dictionaries when its filter is one `tasks_in_state`
    answers (TaskFilter's defaults for the rest), else None: the walk's to give."""
    if kwargs.keys() not in _SCANNED_FILTERS:
        return None
    state = kwargs.get("state", TaskState.ANY_MASK)
    return tasks_in_state(workflow, state, spec_name=kwargs.get("spec_name"), first=first_task)


class ScannedWorkflow(BpmnWorkflow):
    """The engine's workflow: SpiffWorkflow's own, except that its two walks on every step
    answer from the task dictionaries (above) instead of walking the whole tree.

    `do_engine_steps` lists the ready tasks with `get_tasks(state=READY)` again after each
    round, and every completed task makes the workflow `update_waiting_tasks`: both walk
    every finished task from the root. A filter on state or a spec's name (a parallel
    gateway's `get_tasks(spec_name=...)` each time a branch reaches it; from a task, a
    catching event's `get_tasks(my_task, spec_name=...)` each time it runs) is
    `tasks_in_state`; any other filter is the walk's. Its subprocesses (a conference's
    preparation is one) are `ScannedSubWorkflow`s, which answer the same way. Stored as
    `BpmnWorkflow` and `BpmnSubWorkflow` (`serialization`), so states load in either class.
    """

    def get_tasks(self, first_task=None, **kwargs) -> list:
        found = _get_tasks(self, first_task, kwargs)
        return super().get_tasks(first_task, **kwargs) if found is None else found

    def update_waiting_tasks(self) -> None:
        update_waiting_tasks(self)

    def create_subprocess(self, my_task, spec_name):
        subprocess = ScannedSubWorkflow(
            self.subprocess_specs[spec_name], parent_task_id=my_task.id, top_workflow=self
        )
        self.subprocesses[my_task.id] = subprocess
        return subprocess


class ScannedSubWorkflow(BpmnSubWorkflow):
    """A subprocess of a `ScannedWorkflow`: SpiffWorkflow's own, except for the same two walks
    (`do_engine_steps` asks each subprocess for its ready tasks after every round, and each
    task it completes updates its waiting tasks), answered from its task dictionary."""

    def get_tasks(self, first_task=None, **kwargs) -> list:
        found = _get_tasks(self, first_task, kwargs)
        return super().get_tasks(first_task, **kwargs) if found is None else found

    def update_waiting_tasks(self) -> None:
        update_waiting_tasks(self)
