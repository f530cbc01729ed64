"""Human task rows: what SpiffWorkflow says is ready, mirrored as queryable rows.

Rows are derived from the engine after every step (never the other way round): a ready user
task without a row gets one, a row whose engine task is no longer ready (interrupted, or the
instance ended) is cancelled. Due date, assignee and form come from the diagram's properties.
"""

from __future__ import annotations

from datetime import date, datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine.access import roles
from engine.models import lengths
from engine.models.base import attach_as_read
from engine.models.drafts import delete_drafts
from engine.models.instances import CANCELLED, READY, HumanTask, ProcessInstance
from engine.models.people import user_ids_by_username
from engine.workflow import task_scan


def properties(task_spec) -> dict:
    return (task_spec.extensions or {}).get("properties", {})


def ready_user_tasks(workflow: BpmnWorkflow) -> dict[str, object]:
    """Ready user tasks by id, in SpiffWorkflow's order (its walk's, found without walking)."""
    return {str(t.id): t for t in task_scan.ready_user_tasks(workflow)}


def sync(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    open_rows: list[HumanTask],
    now: datetime,
    add: bool = True,
) -> list[HumanTask]:
    """Bring the instance's task rows in line with the engine; return the rows created.

    A row cancelled here loses its drafts in the same transaction. `add=False` leaves the
    new rows out of the session for the caller to `insert_rows` once its version-checked UPDATE
    has gone (a save: a lost race then fails on the version, before any row is written)."""
    ready = ready_user_tasks(workflow)
    known, cancelled = set(), []
    for row in open_rows:
        known.add(row.id)
        if row.state == READY and row.id not in ready:
            row.state, row.completed_at = CANCELLED, now
            cancelled.append(row.id)
    delete_drafts(session, cancelled)  # nobody will finish a cancelled task
    new = [t for tid, t in ready.items() if tid not in known]
    assignees = {str(t.id): _assignee(workflow, t) for t in new}
    user_ids = user_ids_by_username(session, {name for name in assignees.values() if name})
    created = [
        _new_row(instance, workflow, t, now, user_ids.get(assignees[str(t.id)])) for t in new
    ]
    if add:
        session.add_all(created)
    return created


def insert_rows(session: Session, rows: list[HumanTask]) -> None:
    """Write new rows with one short Core statement per row, then put them in the session
    as if read back: the ids are SpiffWorkflow's, so nothing needs returning, and the unit of
    work's batched insert of fifteen columns cost several times as much. The flush guard's
    length check (`lengths`) is made here, before any SQL, as a flush would have."""
    if not rows:
        return
    lengths.refuse_too_long_values(HumanTask.__mapper__, [row.__dict__ for row in rows])
    session.execute(_INSERT, [{key: row.__dict__[key] for key in _COLUMNS} for row in rows])
    for row in rows:
        attach_as_read(session, row)


_INSERT = insert(HumanTask.__table__)
_COLUMNS = tuple(HumanTask.__table__.c.keys())


def _new_row(instance, workflow, task, now, assignee_id: int | None) -> HumanTask:
    spec = task.task_spec
    props = properties(spec)
    return HumanTask(
        id=str(task.id),
        instance_id=instance.id,
        child_id=instance.child_id,
        task_spec=getattr(spec, "bpmn_id", None) or spec.name,
        title=_title(workflow, task, props.get("title")) or spec.bpmn_name or spec.name,
        lane=spec.lane,
        role=roles.role_for_lane(spec.lane),
        form_key=props.get("formKey"),
        assignee_id=assignee_id,
        due_on=due_on(workflow, task, props.get("dueDate")),
        escalation_level=0,
        state=READY,
        created_at=now,
        completed_at=None,
        completed_by_id=None,
    )


def _title(workflow, task, expression: str | None) -> str | None:
    """A title that names the instance of a repeated step ("Agency report: Robin Hall")."""
    if not expression:
        return None
    return str(workflow.script_engine.evaluate(task, expression))[:200]


def due_on(workflow, task, expression: str | None) -> date | None:
    """The day a task's `dueDate` expression gives, read with the task's data."""
    if not expression:
        return None
    value = workflow.script_engine.evaluate(task, expression)
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _assignee(workflow, task) -> str | None:
    """The username the diagram's `assignee` property names for this task, if any."""
    expression = properties(task.task_spec).get("assignee")
    if not expression:
        return None
    username = workflow.script_engine.evaluate(task, expression)
    return str(username) if username else None
