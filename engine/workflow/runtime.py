"""Instance lifecycle: start, complete a task, fire timers, suspend, resume, terminate.

Every command is one database transaction: the engine step, the saved state, the task rows
and the audit event commit together or not at all. An instance row carries a version counter
(SQLAlchemy's `version_id_col`): two people completing the same task at once both run the
step, but only the first UPDATE matches the version it read; the second rolls back and is
told who got there first.

How a step is run and saved, shared by every command here and by timer firing, is
`stepping.Stepper`; this module decides what each command's step is and what it may change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.models import audit
from engine.models.base import fetch
from engine.models.instances import (
    DONE,
    READY,
    RUNNING,
    SUSPENDED,
    HumanTask,
    ProcessInstance,
)
from engine.models.people import User
from engine.models.task_rows import task_and_open_tasks, task_with_instance
from engine.platform import clock as clocks
from engine.platform import metrics
from engine.platform.db import transaction
from engine.platform.errors import (
    ConcurrentUpdate,
    InstanceNotActive,
    NotAllowed,
    StepFailed,
    TaskAlreadyCompleted,
    TaskNotFound,
)
from engine.workflow import (
    assignment,
    data_changes,
    data_changing,
    expressions,
    instance_status,
    permissions,
    shared_steps,
    step_failures,
    tasks,
    timers,
    withheld_answers,
    workflow_cache,
    workflow_reads,
)
from engine.workflow.firing import TimerFiring
from engine.workflow.hooks import NO_HOOKS, Hooks, SpecSource
from engine.workflow.shared_steps import SharedStep
from engine.workflow.step_context import StepContext
from engine.workflow.stepping import Stepper


def named_steps(diagram) -> frozenset[str]:
    """The user task names a parsed diagram gives to a named person (`assignee`)."""
    specs = [diagram.spec, *(diagram.subprocess_specs or {}).values()]
    return frozenset(
        name
        for spec in specs
        for name, task_spec in spec.task_specs.items()
        if getattr(task_spec, "extensions", None)  # user tasks; start and end events have none
        and tasks.properties(task_spec).get("assignee")
    )


@dataclass(frozen=True)
class Completion:
    """A completed task's instance and its open tasks after the step, oldest first."""

    instance: ProcessInstance
    ready: list[HumanTask]


class Engine:
    """The workflow service. One per process; every method takes the caller's session."""

    def __init__(
        self,
        specs: SpecSource,
        clock: clocks.Clock | None = None,
        language: expressions.Language = expressions.CALENDAR_ONLY,
        hooks: Hooks = NO_HOOKS,
        cache_size: int = workflow_cache.SIZE,
    ):
        """`specs` parses deployed versions, `language` is what diagram code may call and
        `hooks` reach the layers above; `engine.service.Engine` passes the council's."""
        clocks.install()
        self.steps = Stepper(specs, clock or clocks.SYSTEM, language, hooks, cache_size)
        # What callers read of the engine: its clock, parsed diagrams, language and cache.
        self.clock, self.specs, self.language = self.steps.clock, specs, language
        self.hooks, self.cache = hooks, self.steps.cache
        self.script_engine = self.steps.script_engine
        self._named_steps: dict[int, frozenset[str]] = {}
        self._firing = TimerFiring(self.steps)

    # ---- commands -------------------------------------------------------------------------

    def start(
        self,
        session: Session,
        process_id: str,
        actor: User | None,
        data: dict,
        child_id: int | None = None,
        opened: list[HumanTask] | None = None,
    ) -> ProcessInstance:
        """Start a new instance on the latest deployed version of `process_id`. `opened`, if
        given, receives its open tasks as the start left them, oldest first (an API answer
        shows them without reading them back after the commit)."""
        self.language.check_variables(data)
        now = self.clock.now()
        started: list = []
        with transaction(session):
            instance = self.steps.create(
                session, process_id, actor, data, child_id, now, started, opened=opened
            )
        self.steps.remember(started)
        return instance

    def complete(
        self,
        session: Session,
        task_id: str,
        actor: User,
        data: dict,
        validate: Callable[[HumanTask], dict] | None = None,
    ) -> Completion:
        """Complete a ready user task: the instance and its tasks open after the step, as the
        step left them (an API answer shows them without reading them back).

        One transaction checks the task (it exists, is open, is the actor's to do), runs the
        step, saves, discards every draft of the tasks that stopped being open, and audits.
        `validate`, if given, turns the task row into the data to complete it with (a form's
        validation, which needs the row); it runs after the checks, and what it raises
        propagates with nothing saved.
        """
        return self._complete(session, task_id, actor, data, validate)

    def complete_by_link(
        self, session: Session, task_id: str, validate: Callable[[HumanTask], dict]
    ) -> Completion:
        """Complete a ready user task for someone without an account (a professional's secure
        link): the link is the permission, so `validate` checks and spends it inside the
        transaction and gives the data; the task is recorded as done by nobody on the staff."""
        return self._complete(session, task_id, None, {}, validate)

    def _complete(self, session, task_id, actor: User | None, data, validate) -> Completion:
        now = self.clock.now()
        try:
            with transaction(session):
                row, others = task_and_open_tasks(session, task_id)
                if row is None:
                    raise TaskNotFound("There is no such task.")
                self._ensure_open(row)
                if actor is not None and not permissions.can_complete(actor, row):
                    raise NotAllowed(f"“{row.title}” is for another person or role.")
                held_by = row.assignee_id  # what the permission was decided from
                if validate is not None:
                    data = validate(row)
                self.language.check_variables(data)
                instance = row.instance
                if instance.status != RUNNING:
                    raise InstanceNotActive(
                        f"This case is {instance.status}: its tasks cannot be "
                        "completed until it is resumed."
                    )
                workflow = self.steps.load(session, instance)
                saved_timers = timers.waiting(workflow)  # what its timer rows mirror
                spiff_task = workflow.get_task_from_id(_uuid(task_id))
                if spiff_task is None or spiff_task.state != TaskState.READY:
                    raise ConcurrentUpdate("This task is no longer waiting to be done.")
                if actor is not None:  # answers shown with withheld text taken out
                    data = withheld_answers.keep(
                        session, actor, instance.child_id, spiff_task.data, data
                    )

                context = StepContext(session, instance, now, actor)
                done = self.steps.complete_task(
                    session, instance, workflow, spiff_task, row, data, others, actor, now,
                    context=context, held_by=held_by, saved_timers=saved_timers,
                )  # fmt: skip
                if done is None:
                    raise _TaskRowChanged
                fired, created = done
        except (StaleDataError, _TaskRowChanged):
            session.expire_all()
            fresh = session.get(HumanTask, task_id)
            self._ensure_open(fresh)
            if fresh.assignee_id != held_by:
                message = _moved(fresh) + " at the same moment, so nothing was saved."
                raise ConcurrentUpdate(message) from None
            raise ConcurrentUpdate(
                "Someone else changed this case at the same moment, so nothing was saved. "
                "Open the task again to see where it stands."
            ) from None
        except StepFailed as exc:  # the diagram's fault: its process owner sees it
            step_failures.record(session, task_id, actor, exc, now)
            raise
        self.steps.committed(instance, workflow, context, fired)
        metrics.task_completed(instance.process_id)
        return Completion(instance, [t for t in others if t.state == READY] + created)

    def fire_timers(self, session: Session, instance_id: int, lease_owner: str | None = None):
        """Fire the instance's timers due by the engine clock; how many fired (`firing`)."""
        return self._firing.fire_timers(session, instance_id, lease_owner)

    def fire_batch(self, session: Session, instance_ids: list[int], lease_owner: str):
        """Fire a claimed batch in one transaction: fired per instance, and those left."""
        return self._firing.fire_batch(session, instance_ids, lease_owner)

    def change_data(
        self,
        session: Session,
        instance_ids: list[int],
        actor: User,
        changes: dict,
        then=None,
        follow_from: tuple[int, ...] = (),
    ) -> dict[int, dict]:
        """Change what running workflows know in every step still to run, in one transaction
        (`data_changing.change_data`, which says what `then` and `follow_from` do); what each
        follow-on was told, by instance id."""
        return data_changing.change_data(
            self.steps, self.language, session, instance_ids, actor, changes, then, follow_from
        )

    def worked_out(self, session: Session, instance_id: int, changes: dict) -> dict:
        """What a workflow's diagram works out from `changes` on the data its steps ran with,
        nothing changed (a finished conference's record corrected): every name changed."""
        instance = fetch(session, ProcessInstance, instance_id, "There is no such workflow.")
        with clocks.using(self.clock):
            return data_changes.worked_out(self.steps.loaded(session, instance), changes)

    def complete_shared(
        self, session: Session, actor: User, steps: list[SharedStep], then=None
    ) -> list[bool]:
        """Complete steps already done where they are shared (a sibling joining a family
        conference that is booked), in one transaction after `then` (the record that makes
        them shared): for each, whether it was waiting and is now done (`shared_steps`)."""
        now = self.clock.now()
        started: list = []
        try:
            with transaction(session):
                if then is not None:
                    then()
                done = [
                    shared_steps.complete(self.steps, session, actor, now, step, started)
                    for step in steps
                ]
        except StaleDataError:
            session.expire_all()
            raise ConcurrentUpdate(
                "Someone else changed this case at the same moment, so nothing was saved."
            ) from None
        self.steps.remember(started)
        return done

    # A manager's hold on the instance: its row and tasks change, never the workflow.

    def suspend(self, session, instance_id: int, actor: User, reason: str = "") -> ProcessInstance:
        now = self.clock.now()
        instance = instance_status.change(
            session, instance_id, actor, RUNNING, SUSPENDED, reason, now
        )
        self.cache.take(instance.id, -1)
        return instance

    def resume(self, session, instance_id: int, actor: User, reason: str = "") -> ProcessInstance:
        now = self.clock.now()
        instance = instance_status.change(
            session, instance_id, actor, SUSPENDED, RUNNING, reason, now
        )
        self.cache.take(instance.id, -1)
        self.fire_timers(session, instance_id)
        return instance

    def terminate(self, session, instance_id: int, actor: User, reason: str) -> ProcessInstance:
        instance = instance_status.terminate(session, instance_id, actor, reason, self.clock.now())
        self.cache.take(instance.id, -1)
        return instance

    # Who holds a ready task: the row changes, never the workflow (`assignment`).

    def claim(self, session: Session, actor: User, task_id: str) -> HumanTask:
        return assignment.claim(session, actor, task_id, self.clock.now())

    def unclaim(self, session: Session, actor: User, task_id: str) -> HumanTask:
        row = task_with_instance(session, task_id)
        stuck = row is not None and not self.may_go_back(session, [row])
        return assignment.unclaim(session, actor, task_id, self.clock.now(), named=stuck)

    def may_go_back(self, session: Session, rows: list[HumanTask]) -> set[str]:
        """The ids of these task rows that have a pool their holder may give them back to
        (`unclaim` and the inbox's button both ask here). A step the diagram gives a named
        person (the social worker, the chair) has none, unless the case named nobody: then
        the task went to the role's pool, and whoever claimed it from there may give it back."""
        named = self.named_by_diagram(session, rows)
        claimed = audit.claimed_last(
            session, [(r.instance_id, r.id) for r in rows if r.id in named]
        )
        return {row.id for row in rows if row.id not in named or row.id in claimed}

    def assign(self, session: Session, actor: User, task_id: str, username: str | None):
        now = self.clock.now()
        return assignment.assign(session, actor, task_id, username, now, hooks=self.hooks)

    def pass_on(self, session: Session, actor: User, task_id: str, username: str):
        now, named = self.clock.now(), self._named(session, task_id)
        return assignment.pass_on(
            session, actor, task_id, username, now, hooks=self.hooks, named=named
        )

    def named_by_diagram(self, session: Session, rows: list[HumanTask]) -> set[str]:
        """The ids of these task rows whose step the diagram gives to a named person (its
        `assignee` property): they never go to a pool, and only a manager passes them on."""
        found = set()
        for row in rows:
            version_id = row.instance.version_id
            if version_id not in self._named_steps:  # a deployed version never changes
                self._named_steps[version_id] = named_steps(self.specs.get(session, version_id))
            if row.task_spec in self._named_steps[version_id]:
                found.add(row.id)
        return found

    def _named(self, session: Session, task_id: str) -> bool:
        row = task_with_instance(session, task_id)
        return row is not None and bool(self.named_by_diagram(session, [row]))

    # ---- queries ----------------------------------------------------------------------

    def task_data(self, session: Session, task: HumanTask) -> dict:
        """What the task knows (everything entered before it): a copy, for prefilling forms."""
        return workflow_reads.task_data(self.steps.loaded(session, task.instance), _uuid(task.id))

    def element_states(self, session: Session, instance: ProcessInstance) -> dict[str, str]:
        """Each diagram element the instance reached: `completed` or `active`."""
        return workflow_reads.element_states(self.steps.loaded(session, instance))

    def instance_data(self, session: Session, instance: ProcessInstance) -> dict:
        """What the workflow knows now: the data of its waiting steps, or of its last step."""
        return workflow_reads.instance_data(self.steps.loaded(session, instance))

    # ---- internals --------------------------------------------------------------------

    def _ensure_open(self, row: HumanTask) -> None:
        if row.state != READY:
            by = row.completed_by.display_name if row.completed_by else None
            if row.state == DONE:
                raise TaskAlreadyCompleted(row.title, by, row.completed_at)
            raise InstanceNotActive(f"“{row.title}” is no longer needed.")


class _TaskRowChanged(Exception):
    """The completed task's row changed after it was read: roll back, then say how."""


def _moved(row: HumanTask) -> str:
    if row.assignee is None:
        return f"“{row.title}” was handed back to its pool"
    return f"“{row.title}” was taken by {row.assignee.display_name}"


def _uuid(task_id: str) -> UUID:
    try:
        return UUID(task_id)
    except ValueError:
        raise TaskNotFound("There is no such task.") from None
