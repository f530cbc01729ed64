"""How a running instance lines up with another version of its diagram, and re-binding it.

SpiffWorkflow's public diff (`SpiffWorkflow.bpmn.util.diff`) aligns the old version's task specs
with the new one's; an instance moves by re-binding each task of its saved tree to the aligned
spec, then predicting afresh what follows each step it is waiting at (the new version may have
added or removed steps after it). It cannot move when a step it is at, or has already done, is
not in the new version under the same id (or is a different kind of step there).
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.diagrams.registry import Diagram

WAITING_HERE = TaskState.READY | TaskState.WAITING


@dataclass(frozen=True)
class _Part:
    """The workflow or one subprocess, its spec in the new version, and how they line up."""

    workflow: object
    new_spec: object | None
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


class SpecDiffs:
    """Spec diffs by pair of specs, for one dry run or move of many instances."""

    def __init__(self, registry):
        self._registry = registry
        self._by_specs: dict[tuple, SpecDiff] = {}

    def parts(self, workflow: BpmnWorkflow, target: Diagram) -> list[_Part]:
        """The workflow and each subprocess, lined up with their specs in `target`.

        Comparing two specs converts every task spec, so it is done once per pair of specs
        (the spec cache's shared objects); lining up one instance's tasks with it is cheap.
        """
        parts = []
        for each in _workflows(workflow):
            new_spec = _new_spec_for(each, workflow, target)
            if new_spec is None:
                parts.append(_Part(each, None, None, None))
                continue
            spec_diff = self._by_specs.get((each.spec, new_spec))
            if spec_diff is None:
                spec_diff = SpecDiff(self._registry, each.spec, new_spec)
                self._by_specs[each.spec, new_spec] = spec_diff
            parts.append(_Part(each, new_spec, spec_diff, WorkflowDiff(each, spec_diff)))
        return parts


def label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    element = getattr(spec, "bpmn_id", None) or spec.name
    return f"“{name}” ({element})" if name else element


def _workflows(workflow: BpmnWorkflow):
    yield workflow
    yield from workflow.subprocesses.values()


def steps_at(workflow: BpmnWorkflow) -> tuple[str, ...]:
    """The steps an instance is at, as people read them."""
    return tuple(label(t.task_spec) for t in _waiting_tasks(workflow))


def _waiting_tasks(workflow: BpmnWorkflow):
    """The steps an instance is at: ready user tasks first, then what it waits on."""
    found = []
    for each in _workflows(workflow):
        found += each.get_tasks(state=WAITING_HERE, skip_subprocesses=True)
    return sorted(found, key=lambda t: (not t.task_spec.manual, t.task_spec.name))


def _repredicted(workflow) -> set:
    """Tasks below a step the instance waits at: predicted afresh after a move."""
    below = set()
    for task in workflow.get_tasks(state=WAITING_HERE, skip_subprocesses=True):
        below.update(id(t) for t in task if t is not task)
    return below


def _new_spec_for(each, workflow, target: Diagram):
    if each is workflow:
        return target.spec
    return target.subprocess_specs.get(each.spec.name)


def obstacles(parts: list[_Part]) -> list[str]:
    """Why the instance cannot be re-bound, current steps first; empty if it can."""
    reasons: list[tuple[int, str]] = []
    for part in parts:
        if part.new_spec is None:
            name = part.workflow.spec.name
            reasons.append((0, f"its subprocess “{name}” is not in the new version"))
            continue
        skip = _repredicted(part.workflow)
        for task in part.workflow.tasks.values():
            if id(task) in skip:
                continue
            reason = _obstacle(task, part)
            if reason and reason not in reasons:
                reasons.append(reason)
    return [text for _, text in sorted(reasons, key=lambda r: r[0])]


def _same_id(task, part: _Part):
    """The new spec the diff aligns `task` with, if it has the same id.

    The diff may also pair a removed step with a new one of another id in the same place; a
    case is not moved onto another step than the one it is at, so that counts as removed.
    """
    new = part.diff.alignment.get(task)
    return new if new is not None and new.name == task.task_spec.name else None


def _obstacle(task, part: _Part) -> tuple[int, str] | None:
    old = task.task_spec
    current = task.has_state(WAITING_HERE | TaskState.STARTED)
    if _same_id(task, part) is not None:
        if current and "typename" in part.spec_diff.comparisons.get(old, ()):
            return 0, f"its current step {label(old)} is a different kind of step there"
        return None
    if getattr(old, "bpmn_id", None) is None:
        # SpiffWorkflow's own wrapper around a step with boundary events (timers).
        owner = old.name.split(".")[0]
        if owner in part.new_spec.task_specs:
            return 1, f"the timers on “{owner}” were all added or all removed in the new version"
        return None  # the step itself is gone: its own reason says so
    if current:
        return 0, f"its current step {label(old)} is not in the new version"
    if task.has_state(TaskState.FINISHED_MASK):
        return 2, f"the step {label(old)} it has already done is not in the new version"
    return 3, f"the step {label(old)} it expects next is not in the new version"


def rebind(workflow: BpmnWorkflow, target: Diagram, parts: list[_Part]) -> None:
    """Point every task at the spec the diff aligns it with; predict afresh below each step.

    `migrate_workflow` re-binds the same way but then resets every ready and waiting task
    (`Task.reset_branch`): that drops a multi-instance task's item and index, restarts a
    duration timer from the move and turns an overdue timer ready, where nothing runs it until
    someone acts on the case. So the steps the case is at are kept as they are, and only what
    follows them is predicted again, which SpiffWorkflow offers only privately
    (`_drop_children`, `_predict_hook`, `_predict`: the first half of `reset_branch`).
    """
    workflow.subprocess_specs = target.subprocess_specs
    retimed = []
    for part in parts:
        each = part.workflow
        each.spec = part.new_spec
        for task, new in part.diff.alignment.items():
            changes = part.spec_diff.comparisons.get(task.task_spec, ())
            if task.state == TaskState.WAITING and "event_definition" in changes:
                retimed.append(task)
            if new is not None:
                task.task_spec = new
        for task in each.get_tasks(state=WAITING_HERE, skip_subprocesses=True):
            task._drop_children(force=True)
            task.task_spec._predict_hook(task)
            for child in task.children:
                child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
        if each.last_task is not None and each.last_task.id not in each.tasks:
            each.last_task = None
    for task in retimed:
        _retime(workflow, task)


def _retime(workflow: BpmnWorkflow, task) -> None:
    """A date timer whose definition changed is due when the new one says.

    Durations and cycles keep the due time they had: they count from when the step began,
    which a move does not change.
    """
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition) and not isinstance(
        definition, DurationTimerEventDefinition | CycleTimerEventDefinition
    ):
        value = workflow.script_engine.evaluate(task, definition.expression)
        task.internal_data["event_value"] = value
