"""Moving running instances to another version of their diagram: dry run, move, undo.

How an instance lines up with the new version, and why it may not move, is in `version_diff`.
Each instance moves in its own transaction, so one that fails leaves the others moved and
itself untouched. Every move is audited and keeps the state it replaced, so it can be undone
exactly while nothing has happened to the case since.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine.access import roles
from engine.diagrams.registry import Diagram
from engine.diagrams.version_diff import SpecDiffs, obstacles, rebind, steps_at
from engine.models import audit
from engine.models.base import fetch
from engine.models.diagrams import InstanceMove
from engine.models.instances import RUNNING, SUSPENDED, HumanTask, ProcessInstance, open_tasks
from engine.models.people import User
from engine.models.processes import ProcessVersion
from engine.platform import clock as clocks
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed
from engine.workflow import permissions, serialization, tasks, timer_rows

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


@dataclass
class MoveReport:
    moved: list[MoveCheck] = field(default_factory=list)
    refused: list[MoveCheck] = field(default_factory=list)


class VersionMoves:
    """The migration service; shares the engine's clock, spec cache and workflow cache."""

    def __init__(self, engine):
        self.engine = engine
        self.diffs = SpecDiffs(serialization.serializer().registry)

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
            steps = steps_at(workflow)
            diffs = self.diffs.parts(workflow, target)
            reasons += obstacles(diffs)
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
        try:
            with clocks.using(self.engine.clock):
                rebind(workflow, target, diffs)
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
        timer_rows.sync(session, instance, workflow, [], now)
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
