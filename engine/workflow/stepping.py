"""Running one workflow step and saving what it did: the mechanics every command shares.

A command (start, complete, fire timers, change data) opens its transaction and decides what
the step is; a `Stepper` loads the instance's workflow, runs the step with the timers that
fall due inside it, mirrors tasks and timers as rows, audits, starts the follow-on workflows
and, after the commit, keeps the workflow in memory for the next step on that instance.

The last workflow object each instance produced is kept with the version it was saved as,
so the next step on that instance in this process skips deserialization; a version mismatch
(another worker moved it on) simply loads from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from sqlalchemy.orm import Session

from engine.models import audit, catalogue
from engine.models.instances import (
    COMPLETED,
    READY,
    RUNNING,
    HumanTask,
    ProcessInstance,
    open_tasks,
)
from engine.models.processes import latest_version
from engine.models.task_rows import mark_completed
from engine.platform import clock as clocks
from engine.platform import metrics
from engine.platform.errors import EngineError, NotFound
from engine.workflow import (
    expressions,
    instance_status,
    pruning,
    serialization,
    shared_steps,
    step_context,
    step_failures,
    task_scan,
    tasks,
    timers,
)
from engine.workflow.hooks import Hooks, SpecSource
from engine.workflow.step_context import StepContext
from engine.workflow.timer_rows import sync as mirror_timers
from engine.workflow.workflow_cache import WorkflowCache

MAX_TIMER_ROUNDS = 20


class Stepper:
    """How the engine runs and saves a step; `runtime.Engine` and `firing` share one."""

    def __init__(
        self,
        specs: SpecSource,
        clock: clocks.Clock,
        language: expressions.Language,
        hooks: Hooks,
        cache_size: int,
    ):
        self.specs = specs
        self.clock = clock
        self.language = language
        self.hooks = hooks
        self.cache = WorkflowCache(cache_size)
        self.script_engine = language.script_engine()

    def load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow: the one kept from its last step, or read from its row."""
        workflow = self.cache.take(instance.id, instance.lock_version)
        if workflow is not None:
            return workflow
        diagram = self.specs.get(session, instance.version_id)
        return serialization.loads(
            instance.state, diagram.spec, diagram.subprocess_specs, self.script_engine
        )

    def loaded(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        """The instance's workflow for reading, kept for the next step (reading changes none)."""
        workflow = self.load(session, instance)
        self.cache.lend(instance.id, instance.lock_version, workflow)
        return workflow

    def create(
        self,
        session,
        process_id,
        actor,
        data,
        child_id,
        now,
        started: list,
        started_from=None,
        opened: list | None = None,
    ):
        """Create and run an instance inside the caller's transaction; `started` collects it
        (and the follow-ons its step started) for `remember` after the commit. `opened`, if
        given, receives its open task rows as the transaction leaves them: the rows its save
        created, unless what followed the step (a follow-on, a shared step, an instance it
        ended) could have changed them, when they are read."""
        version = latest_version(session, process_id)
        if version is None:
            raise NotFound(f"No process “{process_id}” has been deployed.")
        if catalogue.is_retired(session, process_id):
            raise EngineError(f"“{version.name}” is retired: no new cases start on it.")
        diagram = self.specs.get(session, version.id)
        workflow = task_scan.ScannedWorkflow(
            diagram.spec, diagram.subprocess_specs, script_engine=self.script_engine
        )
        workflow.task_tree.data.update(data)
        instance = ProcessInstance(
            process_id=process_id,
            version_id=version.id,
            child_id=child_id,
            plan_id=data.get("plan_id"),
            status=RUNNING,
            state="",
            started_at=now,
            started_by_id=actor.id if actor else None,
            started_from_id=started_from,
        )
        session.add(instance)
        session.flush()
        context = StepContext(session, instance, now, actor, started=started)
        fired = self.run(workflow, lambda: workflow.do_engine_steps(), context)
        created = self.save(session, instance, workflow, [], now, actor, fired, context, new=True)
        quiet = not (context.followups or context.shared or context.to_end)
        audit.record_now(
            session,
            actor,
            "instance.started",
            now,
            instance_id=instance.id,
            process_id=process_id,
            version_id=version.id,
        )
        self.after_step(session, context)
        if opened is not None:  # the session does not autoflush: a row it closed is dirty
            rows = created if quiet else open_tasks(session, instance.id)
            opened.extend(row for row in rows if row.state == READY)
        started.append(Started(instance, workflow, fired, now))
        return instance

    def after_step(self, session, context: StepContext) -> None:
        """Start the follow-on workflows, end the ones the step closed and complete the steps
        it shared with other instances, same transaction."""
        for instance_id, reason in context.to_end.items():
            instance = session.get(ProcessInstance, instance_id)
            if instance is not None and instance.active:
                self.close(session, instance, None, "instance.ended", reason, context.now)
        shared, context.shared = context.shared, []
        for step in shared:
            shared_steps.complete(self, session, context.actor, context.now, step, context.started)
        if not context.followups:
            return
        case = self.hooks.case_data(session, context.instance.child)
        if context.instance.plan_id is not None:
            case["plan_id"] = context.instance.plan_id
        for process_id, extra in context.followups:
            if catalogue.is_retired(session, process_id):  # the step goes on without it
                audit.record(
                    session,
                    context.actor,
                    "process.start_skipped",
                    context.now,
                    instance_id=context.instance.id,
                    child_id=context.instance.child_id,
                    process_id=process_id,
                    why="retired",
                )
                continue
            data = {**case, **extra}
            self.language.check_variables(data)
            self.create(
                session,
                process_id,
                context.actor,
                data,
                context.instance.child_id,
                context.now,
                context.started,
                started_from=context.instance.id,
            )

    def close(self, session, instance, actor, action: str, reason: str, now: datetime) -> None:
        instance_status.close(session, instance, actor, action, reason, now)
        self.cache.take(instance.id, -1)

    def committed(self, instance, workflow, context: StepContext, fired=()) -> None:
        """After a step's commit: keep its workflow, and those it started, for the next step;
        count the timers that fired in it."""
        self.cache.put(instance.id, instance.lock_version, workflow)
        count_fired(instance.process_id, fired, context.now)
        self.remember(context.started)

    def remember(self, started: list[Started]) -> None:
        """After the commit, for each instance a step started: keep its workflow (never before
        the commit: a rolled-back id can be handed out again on SQLite, and must not find
        someone else's workflow) and count the timers that fired as it started."""
        for each in started:
            self.cache.put(each.instance.id, each.instance.lock_version, each.workflow)
            count_fired(each.instance.process_id, each.fired, each.now)

    def run(self, workflow: BpmnWorkflow, step, context: StepContext):
        """Run `step`, then fire timers already due until the workflow rests; those fired.

        `do_engine_steps` only looks at timers when it ends, so a timer that fell due while it
        ran (a conference booked after its own deadline) would otherwise wait for the sweep.
        A timer already past when it starts (a strategy discussion recorded weeks late) fires
        inside `step` without ever waiting: it is found among the timers fired since.
        """
        fired: list[timers.WaitingTimer] = []
        with clocks.using(self.clock), step_context.bound(context):
            try:
                before = timers.fired_ids(workflow)
                step()
                waiting = timers.waiting(workflow)  # unchanged until a refresh or round
                if any(t.due is None for t in waiting):
                    workflow.refresh_timers()  # let SpiffWorkflow compute the missing due times
                    waiting = None
                for _ in range(MAX_TIMER_ROUNDS):
                    due = timers.due(workflow, self.clock.now(), waiting)
                    waiting = None  # each round below changes the workflow
                    if not due:
                        break
                    fired += due
                    workflow.refresh_timers()
                    workflow.do_engine_steps()
            except SpiffWorkflowException as exc:
                raise step_failures.explain(exc) from exc
        counted = before | {t.task_id for t in fired}
        return fired + timers.fired_since(workflow, counted)

    def complete_task(
        self,
        session,
        instance,
        workflow,
        spiff_task,
        row,
        data,
        others,
        actor,
        now,
        *,
        context: StepContext,
        held_by: int | None,
        saved_timers=None,
        detail: dict | None = None,
    ) -> tuple[list, list[HumanTask]] | None:
        """Complete a ready task in the caller's transaction: run its step with `data`, save,
        mark its row done, audit it and start what the step started; the timers that fired
        and the rows it created, or None when the row was no longer ready and held by
        `held_by` (someone got there first: the caller says so and rolls back).

        `saved_timers` as `save`'s; `detail` goes into the audit event (where a shared step
        was done from)."""

        def step():
            spiff_task.set_data(**data)
            spiff_task.run()
            workflow.do_engine_steps()

        fired = self.run(workflow, step, context)
        created = self.save(
            session, instance, workflow, others, now, actor, fired, context,
            saved_timers=saved_timers,
        )  # fmt: skip
        # after the step, as every write: the database is locked no earlier than it was
        if not mark_completed(session, row.id, held_by, actor and actor.id, now):
            return None
        audit.record_now(
            session,
            actor,
            "task.completed",
            now,
            instance_id=instance.id,
            task_id=row.id,
            task=row.task_spec,
            title=row.title,
            **(detail or {}),
        )
        self.after_step(session, context)
        return fired, created

    def save(
        self,
        session,
        instance,
        workflow,
        open_rows,
        now,
        actor,
        fired=(),
        context: StepContext | None = None,
        owner=None,
        new=False,
        timer_rows=None,
        flush=True,
        saved_timers=None,
    ) -> list[HumanTask]:
        """Store the state (a repeated step's earlier rounds pruned, `pruning`), mirror its
        tasks and timers as rows, audit the timers that fired, tell people of new tasks; the
        task rows it created.

        `timer_rows` are the instance's waiting timer rows when the caller has read them
        already, `saved_timers` the timers waiting in the workflow as it was loaded (which
        its rows mirror: `timer_rows.sync`); `flush=False` leaves the flush to a caller saving
        several instances. The
        step's `context` is handed the rows open now, for what its timers had to leave until
        the tasks the step created had rows (a reminder of one of them).
        """
        pruning.prune(workflow)
        step_failures.check_depth(workflow)
        instance.state = step_failures.dumps(workflow)
        instance.updated_at = now
        with clocks.using(self.clock):
            try:
                created = tasks.sync(session, instance, workflow, open_rows, now, add=not flush)
            except SpiffWorkflowException as exc:
                raise step_failures.explain(exc) from exc
        rows = mirror_timers(
            session,
            instance,
            workflow,
            list(fired),
            now,
            owner,
            new,
            timer_rows,
            defer=flush,
            saved=saved_timers if flush else None,
        )
        if fired:
            names = [t.name for t in fired]
            audit.record(
                session, None, "timers.fired", now, instance_id=instance.id, timers=names, by=owner
            )
        self.hooks.tasks_created(session, instance, created, actor, now)
        if context is not None:
            context.saved([row for row in open_rows if row.state == READY] + created)
        if task_scan.is_completed(workflow):
            instance.status, instance.ended_at, instance.next_timer_at = COMPLETED, now, None
        if flush:
            # The version-checked UPDATE first: a lost race fails before a row is written.
            session.flush()
            tasks.insert_rows(session, created)
            rows.write(session)
        return created


@dataclass(frozen=True)
class Started:
    """An instance a step started, kept until the commit: its workflow and timers fired."""

    instance: ProcessInstance
    workflow: BpmnWorkflow
    fired: list[timers.WaitingTimer]
    now: datetime


def count_fired(process_id: str, fired, now: datetime) -> None:
    """Count committed timers in the metrics, wherever they fired: a sweep or a step."""
    if fired:
        lags = [(now - t.due).total_seconds() for t in fired if t.due is not None]
        metrics.timers_fired(process_id, len(fired), lags)
