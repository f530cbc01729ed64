"""Moving running instances to another version of their diagram: dry run, move, undo.

SpiffWorkflow's public diff (`SpiffWorkflow.bpmn.util.diff`) aligns the old version's task specs
with the new one's; an instance moves by re-binding each task of its saved tree to the aligned
spec, then predicting afresh what follows each step it is waiting at (the new version may have
added or removed steps after it). It cannot move when a step it is at, or has already done, is
not in the new version under the same id (or is a different kind of step there): the dry run
says which and why.

Each instance moves in its own transaction, so one that fails leaves the others moved and
itself untouched. Every move is audited and keeps the state it replaced, so it can be undone
exactly while nothing has happened to the case since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine.access import roles
from engine.diagrams.registry import Diagram
from engine.models import audit
from engine.models.base import fetch
from engine.models.diagrams import InstanceMove
from engine.models.instances import RUNNING, SUSPENDED, HumanTask, ProcessInstance, open_tasks
from engine.models.people import User
from engine.models.processes import ProcessVersion
from engine.platform import clock as clocks
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed
from engine.workflow import permissions, serialization, tasks, timers

WAITING_HERE = TaskState.READY | TaskState.WAITING
ACTIVE = (RUNNING, SUSPENDED)


@dataclass(frozen=True)
class Selection:
    """Which instances to consider: one or some by id, all of a version, or a filter."""

    process_id: str
    instance_ids: tuple[int, ...] = ()
    from_version_id: int | None = None
    status: str | None = None  # running or suspended; both when None
    at_step: str | None = None  # the element id of an open user task


@dataclass(frozen=True)
class MoveCheck:
    """The dry run's answer for one instance."""

    instance_id: int
    reference: str
    from_version_id: int
    status: str
    steps: tuple[str, ...]
    reasons: tuple[str, ...]

    @property
    def movable(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class _Part:
    """The workflow or one subprocess, its spec in the new version, and how they line up."""

    workflow: object
    new_spec: object | None
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


@dataclass
class MoveReport:
    moved: list[MoveCheck] = field(default_factory=list)
    refused: list[MoveCheck] = field(default_factory=list)


class VersionMoves:
    """The migration service; shares the engine's clock, spec cache and workflow cache."""

    def __init__(self, engine):
        self.engine = engine
        self._spec_diffs: dict[tuple, SpecDiff] = {}

    def _diffs(self, workflow: BpmnWorkflow, target: Diagram) -> list[_Part]:
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
            spec_diff = self._spec_diffs.get((each.spec, new_spec))
            if spec_diff is None:
                registry = serialization.serializer().registry
                spec_diff = SpecDiff(registry, each.spec, new_spec)
                self._spec_diffs[each.spec, new_spec] = spec_diff
            parts.append(_Part(each, new_spec, spec_diff, WorkflowDiff(each, spec_diff)))
        return parts

    # ---- choosing -------------------------------------------------------------------

    def _query(self, selection: Selection):
        query = select(ProcessInstance).where(
            ProcessInstance.process_id == selection.process_id,
            ProcessInstance.status.in_([selection.status] if selection.status else ACTIVE),
        )
        if selection.instance_ids:
            query = query.where(ProcessInstance.id.in_(selection.instance_ids))
        if selection.from_version_id is not None:
            query = query.where(ProcessInstance.version_id == selection.from_version_id)
        if selection.at_step:
            at_step = select(HumanTask.instance_id).where(
                HumanTask.task_spec == selection.at_step, HumanTask.state == "ready"
            )
            query = query.where(ProcessInstance.id.in_(at_step))
        return query.order_by(ProcessInstance.id)

    def select(self, session: Session, selection: Selection) -> list[ProcessInstance]:
        """The selected instances, with their state (the dry run reads every one)."""
        query = self._query(selection).options(undefer(ProcessInstance.state))
        return list(session.scalars(query))

    # ---- dry run --------------------------------------------------------------------

    def dry_run(
        self, session: Session, actor: User, selection: Selection, to_version_id: int
    ) -> list[MoveCheck]:
        """Say for each selected instance whether it can move, and if not why. Changes nothing."""
        _require_owner(actor)
        target = self._target(session, selection.process_id, to_version_id)
        checks = []
        for instance in self.select(session, selection):
            checks.append(self._check(session, instance, target, to_version_id)[0])
        return checks

    def _target(self, session, process_id: str, version_id: int) -> Diagram:
        version = fetch(session, ProcessVersion, version_id, f"No diagram version {version_id}.")
        if version.process_id != process_id:
            raise EngineError(f"Version {version_id} is not a version of “{process_id}”.")
        return self.engine.specs.get(session, version_id)

    def _check(self, session, instance, target: Diagram, to_version_id: int):
        """The check for one instance, and its workflow re-bound to `target` if it can move."""
        reasons: list[str] = []
        workflow = None
        steps: tuple[str, ...] = ()
        if instance.status not in ACTIVE:
            reasons.append(f"it has {instance.status}; only running or paused cases move")
        elif instance.version_id == to_version_id:
            reasons.append("it is on that version already")
        else:
            workflow = self._load(session, instance)
            steps = tuple(_label(t.task_spec) for t in _waiting_tasks(workflow))
            diffs = self._diffs(workflow, target)
            reasons += _obstacles(diffs)
            if not reasons:
                reasons += self._rebound(workflow, target, diffs)
        check = MoveCheck(
            instance.id,
            instance.reference,
            instance.version_id,
            instance.status,
            steps,
            tuple(reasons),
        )
        return check, workflow

    def _rebound(self, workflow, target: Diagram, diffs) -> list[str]:
        """Re-bind the loaded workflow to `target`; why not, if anything in that fails.

        The dry run does the whole move in memory too, so a new timer expression that fails
        for this case's data is reported before anything is saved.
        """
        old_timers = _timer_expressions(workflow)
        try:
            _rebind(workflow, target, diffs)
            with clocks.using(self.engine.clock):
                _refresh_changed_timers(workflow, old_timers)
        except Exception as exc:  # noqa: BLE001 - reported for this case, the others go on
            return [f"moving it would fail: {exc}"]
        return []

    def _load(self, session, instance) -> BpmnWorkflow:
        diagram = self.engine.specs.get(session, instance.version_id)
        return serialization.loads(
            instance.state, diagram.spec, diagram.subprocess_specs, self.engine.script_engine
        )

    # ---- moving ---------------------------------------------------------------------

    def migrate(
        self, session: Session, actor: User, selection: Selection, to_version_id: int
    ) -> MoveReport:
        """Move every movable selected instance, each in its own transaction."""
        _require_owner(actor)
        target = self._target(session, selection.process_id, to_version_id)
        ids = list(session.scalars(self._query(selection).with_only_columns(ProcessInstance.id)))
        session.rollback()  # the selection's reads end here; each move opens its own
        report = MoveReport()
        for instance_id in ids:
            check = self._move_one(session, actor, instance_id, target, to_version_id)
            (report.moved if check.movable else report.refused).append(check)
        return report

    def _move_one(self, session, actor, instance_id, target, to_version_id) -> MoveCheck:
        try:
            with transaction(session):
                instance = session.get(
                    ProcessInstance, instance_id, options=[undefer(ProcessInstance.state)]
                )
                check, workflow = self._check(session, instance, target, to_version_id)
                if check.movable:
                    self._apply(session, actor, instance, workflow, to_version_id)
        except (StaleDataError, SpiffWorkflowException, EngineError) as exc:
            session.expire_all()
            instance = session.get(ProcessInstance, instance_id)
            reason = (
                "someone changed the case at the same moment; try again"
                if isinstance(exc, StaleDataError)
                else f"moving it failed, nothing was changed: {exc}"
            )
            return MoveCheck(
                instance_id,
                instance.reference,
                instance.version_id,
                instance.status,
                (),
                (reason,),
            )
        self.engine.cache.take(instance_id, -1)
        return check

    def _apply(self, session, actor, instance, workflow, to_version_id) -> None:
        """Save the re-bound workflow, keeping what it takes to undo the move."""
        now = self.engine.clock.now()
        previous_state, from_version_id = instance.state, instance.version_id
        self._store(session, instance, workflow, to_version_id, now)
        move = InstanceMove(
            instance_id=instance.id,
            from_version_id=from_version_id,
            to_version_id=to_version_id,
            previous_state=previous_state,
            lock_after=instance.lock_version,
            moved_at=now,
            moved_by_id=actor.id,
            moved_by=actor.username,
        )
        session.add(move)
        session.flush()
        audit.record(
            session,
            actor,
            "instance.migrated",
            now,
            instance_id=instance.id,
            from_version_id=from_version_id,
            to_version_id=to_version_id,
            move_id=move.id,
        )

    def _store(self, session, instance, workflow, version_id: int, now) -> None:
        """Save the re-bound state; open task rows and timer rows follow the new diagram."""
        instance.state = serialization.dumps(workflow)
        instance.version_id = version_id
        instance.updated_at = now
        rows = open_tasks(session, instance.id)
        with clocks.using(self.engine.clock):
            tasks.sync(session, instance, workflow, rows, now)
        _refresh_rows(workflow, rows)
        timers.sync(session, instance, workflow, [], now)
        session.flush()

    # ---- undoing --------------------------------------------------------------------

    def revert(self, session: Session, actor: User, move_id: int) -> InstanceMove:
        """Put an instance back exactly as it was before a move, if nothing happened since."""
        _require_owner(actor)
        move = fetch(session, InstanceMove, move_id, "There is no such move.")
        instance = move.instance
        if move.reverted_at is not None:
            raise EngineError(f"This move of {instance.reference} has already been undone.")
        if instance.lock_version != move.lock_after or instance.version_id != move.to_version_id:
            raise EngineError(
                f"{instance.reference} has moved on since it was moved to version "
                f"{move.to_version_id}; undoing would lose that work. Move it again instead."
            )
        now = self.engine.clock.now()
        try:
            with transaction(session):
                diagram = self.engine.specs.get(session, move.from_version_id)
                workflow = serialization.loads(
                    move.previous_state,
                    diagram.spec,
                    diagram.subprocess_specs,
                    self.engine.script_engine,
                )
                self._store(session, instance, workflow, move.from_version_id, now)
                move.reverted_at, move.reverted_by = now, actor.username
                audit.record(
                    session,
                    actor,
                    "instance.migration_undone",
                    now,
                    instance_id=instance.id,
                    from_version_id=move.to_version_id,
                    to_version_id=move.from_version_id,
                    move_id=move.id,
                )
        except StaleDataError:
            session.expire_all()
            raise EngineError(
                "Someone changed the case at the same moment, so nothing was undone."
            ) from None
        self.engine.cache.take(instance.id, -1)
        return move


def _require_owner(actor: User) -> None:
    if not permissions.can_deploy(actor):
        raise NotAllowed("Only process owners can move cases between diagram versions.")


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None)
    element = getattr(spec, "bpmn_id", None) or spec.name
    return f"“{name}” ({element})" if name else element


def _workflows(workflow: BpmnWorkflow):
    yield workflow
    yield from workflow.subprocesses.values()


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


def _obstacles(parts: list[_Part]) -> list[str]:
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
            return 0, f"its current step {_label(old)} is a different kind of step there"
        return None
    if getattr(old, "bpmn_id", None) is None:
        # SpiffWorkflow's own wrapper around a step with boundary events (timers).
        owner = old.name.split(".")[0]
        if owner in part.new_spec.task_specs:
            return 1, f"the timers on “{owner}” were all added or all removed in the new version"
        return None  # the step itself is gone: its own reason says so
    if current:
        return 0, f"its current step {_label(old)} is not in the new version"
    if task.has_state(TaskState.FINISHED_MASK):
        return 2, f"the step {_label(old)} it has already done is not in the new version"
    return 3, f"the step {_label(old)} it expects next is not in the new version"


def _rebind(workflow: BpmnWorkflow, target: Diagram, parts: list[_Part]) -> None:
    """Point every task at the spec the diff aligns it with; predict afresh below each step.

    `migrate_workflow` re-binds the same way but then resets every ready and waiting task
    (`Task.reset_branch`): that drops a multi-instance task's item and index, restarts a
    duration timer from the move and turns an overdue timer ready, where nothing runs it until
    someone acts on the case. So the steps the case is at are kept as they are, and only what
    follows them is predicted again, which SpiffWorkflow offers only privately
    (`_drop_children`, `_predict_hook`, `_predict`: the first half of `reset_branch`).
    """
    workflow.subprocess_specs = target.subprocess_specs
    for part in parts:
        each = part.workflow
        each.spec = part.new_spec
        for task, new in part.diff.alignment.items():
            if new is not None:
                task.task_spec = new
        for task in each.get_tasks(state=WAITING_HERE, skip_subprocesses=True):
            task._drop_children(force=True)
            task.task_spec._predict_hook(task)
            for child in task.children:
                child.task_spec._predict(child, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
        if each.last_task is not None and each.last_task.id not in each.tasks:
            each.last_task = None


def _timer_expressions(workflow: BpmnWorkflow) -> dict:
    return {
        task.id: task.task_spec.event_definition.expression
        for each in _workflows(workflow)
        for task in each.get_tasks(state=TaskState.WAITING, skip_subprocesses=True)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
    }


def _refresh_changed_timers(workflow: BpmnWorkflow, before: dict) -> None:
    """A date timer whose expression changed is due when the new expression says.

    Durations and cycles keep the due time they had: they count from when the step began,
    which a move does not change.
    """
    for each in _workflows(workflow):
        for task in each.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
            definition = getattr(task.task_spec, "event_definition", None)
            if not isinstance(definition, TimerEventDefinition) or isinstance(
                definition, DurationTimerEventDefinition | CycleTimerEventDefinition
            ):
                continue
            if before.get(task.id) not in (None, definition.expression):
                value = workflow.script_engine.evaluate(task, definition.expression)
                task.internal_data["event_value"] = value


def _refresh_rows(workflow: BpmnWorkflow, rows: list[HumanTask]) -> None:
    """Open task rows take the role and form the new version gives their step."""
    ready = tasks.ready_user_tasks(workflow)
    for row in rows:
        task = ready.get(row.id)
        if task is None:
            continue
        spec = task.task_spec
        row.lane = spec.lane
        row.role = roles.role_for_lane(spec.lane)
        props = tasks.properties(spec)
        row.form_key = props.get("formKey")
        if not props.get("title") and spec.bpmn_name:
            row.title = spec.bpmn_name
