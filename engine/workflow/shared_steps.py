"""Completing another workflow's step from a record several workflows share.

Some steps are done once for several instances (one booking for brothers' and sisters'
conferences): whoever does it in one instance has done it in the others, so their step is
completed too, in the same transaction, through the same run, save and audit as any
completion, so its post-script records, its timers stop and its row is marked done by the
person who did it. The audit event says where it was done from. What the shared record is
belongs to the layers above: they name the instance, the step and the data it completes with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.models.instances import READY, RUNNING, HumanTask, ProcessInstance
from engine.models.instances import open_tasks as open_rows
from engine.models.people import User
from engine.platform.errors import ConcurrentUpdate
from engine.workflow.step_context import StepContext


@dataclass(frozen=True)
class SharedStep:
    """A step of `instance_id` to complete with `data`; `source` says, for the audit, where
    it was done (the child and the step), and `shared` what was shared."""

    instance_id: int
    task_spec: str
    data: dict
    shared: str
    source: dict = field(default_factory=dict)


def ready_row(session: Session, instance_id: int, task_spec: str) -> HumanTask | None:
    """The instance's open task of that step, if it is waiting to be done."""
    for row in open_rows(session, instance_id):
        if row.task_spec == task_spec and row.state == READY:
            return row
    return None


def waiting(session: Session, instance_id: int, task_spec: str) -> bool:
    """Whether the step is waiting on a running instance: one `complete` would do."""
    instance = session.get(ProcessInstance, instance_id)
    running = instance is not None and instance.status == RUNNING
    return running and ready_row(session, instance_id, task_spec) is not None


def complete(
    stepper, session: Session, actor: User | None, now: datetime, step: SharedStep, started: list
) -> bool:
    """Complete the step inside the caller's transaction, as `runtime.Engine.complete` would
    (nothing is checked of who may do it: the person did it where it was shared); False when
    the instance is not running or the step is not waiting (done already, or not reached).

    `started` collects the workflow (and any follow-on) for the cache after the commit.
    """
    from engine.workflow.stepping import Started

    row = ready_row(session, step.instance_id, step.task_spec)
    instance = session.get(ProcessInstance, step.instance_id)
    if row is None or instance is None or instance.status != RUNNING:
        return False
    stepper.language.check_variables(step.data)
    workflow = stepper.load(session, instance)
    spiff_task = workflow.get_task_from_id(UUID(row.id))
    if spiff_task is None or spiff_task.state != TaskState.READY:
        return False
    others = [t for t in open_rows(session, instance.id) if t.id != row.id]

    context = StepContext(session, instance, now, actor, started=started, sharing=step)
    source = {f"from_{name}": value for name, value in step.source.items()}
    done = stepper.complete_task(
        session, instance, workflow, spiff_task, row, step.data, others, actor, now,
        context=context, held_by=row.assignee_id, detail={"shared": step.shared, **source},
    )  # fmt: skip
    if done is None:
        raise ConcurrentUpdate(
            f"“{row.title}” changed at the same moment, so nothing was saved. Try again."
        )
    fired, _created = done
    started.append(Started(instance, workflow, fired, now))
    return True
