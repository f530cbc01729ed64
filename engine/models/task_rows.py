"""What the commands on one task row read and write: the row with its instance (and its
instance's other open rows) to complete it, and the conditional UPDATEs that give it to
someone or mark it done only if it is still as the command read it (a race lost otherwise).

Kept apart from `instances` (the tables and the lists read from them) because these are the
statements every completion and claim runs, each built once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from engine.models.drafts import TaskDraft, delete_drafts
from engine.models.instances import DONE, READY, HumanTask


def task_with_instance(session: Session, task_id: str) -> HumanTask | None:
    """A task row and its instance in one statement (completing a task needs both)."""
    return session.scalars(_TASK_WITH_INSTANCE, {"task_id": task_id}).first()


def task_and_open_tasks(session: Session, task_id: str) -> tuple[HumanTask | None, list]:
    """A task row with its instance, and its instance's other open rows, in one statement
    (completing a task needs all three): the row whatever its state, `(None, [])` when none.
    The others come oldest first, as `open_tasks` gives them, each with its assignee: the
    completion's answer names who holds each open task, and would read each holder apart."""
    row, others = None, []
    for found in session.scalars(_TASK_AND_OPEN, {"task_id": task_id}):
        if found.id == task_id:
            row = found
        else:
            others.append(found)
    return row, others


# The statements every completion runs, built once: SQLAlchemy keeps a statement's cache key
# on the statement, so a request reuses it instead of building the query and its key afresh.
_TASK_WITH_INSTANCE = (
    select(HumanTask)
    .where(HumanTask.id == bindparam("task_id"))
    .options(joinedload(HumanTask.instance))
)
_ASKED = HumanTask.__table__.alias("asked")
# The task asked for, and every ready row of its instance (a task id is unique, so the
# subquery gives one instance at most).
_TASK_AND_OPEN = (
    select(HumanTask)
    .where(
        or_(
            HumanTask.id == bindparam("task_id"),
            and_(
                HumanTask.instance_id
                == select(_ASKED.c.instance_id)
                .where(_ASKED.c.id == bindparam("task_id"))
                .scalar_subquery(),
                HumanTask.state == READY,
            ),
        )
    )
    .options(joinedload(HumanTask.instance), joinedload(HumanTask.assignee))
    .order_by(HumanTask.created_at)
)


ANYONE = object()  # `set_assignee`: whoever holds the task now


def _as_read(query, held_by):
    """`query` narrowed to a task row still ready and held by `held_by` (None: nobody)."""
    query = query.where(HumanTask.state == READY)
    if held_by is None:
        return query.where(HumanTask.assignee_id.is_(None))
    if held_by is not ANYONE:
        return query.where(HumanTask.assignee_id == held_by)
    return query


def set_assignee(session: Session, task_id: str, assignee_id: int | None, held_by=ANYONE) -> bool:
    """Give a ready task to someone (or back to its role's pool); False when the row was not
    ready, or not held by `held_by` (None: nobody) as the caller read it: a race lost."""
    query = _as_read(update(HumanTask).where(HumanTask.id == task_id), held_by)
    result = session.execute(query.values(assignee_id=assignee_id))
    return result.rowcount == 1


def mark_completed(
    session: Session, task_id: str, held_by: int | None, by_id: int | None, now: datetime
) -> bool:
    """Record a ready task as done by `by_id`, and every person's drafts of it gone (nobody
    will finish it); False when the row is no longer ready and held by `held_by` (None:
    nobody) as the completion read it: a claim, a hand-back, an assignment or another
    completion got there first, and the caller must roll back.

    The UPDATE says whether the task has a draft, so the DELETE runs only when it has one:
    nearly every completion is typed in one go, or sent by the API, and has none."""
    statement = _DONE_IF_UNHELD if held_by is None else _DONE_IF_HELD
    values = {"task_id": task_id, "held_by": held_by, "by_id": by_id, "now": now}
    result = session.execute(statement, values, execution_options={"synchronize_session": False})
    done = result.first()
    if done is None:
        return False
    if done.drafted:
        delete_drafts(session, [task_id])
    row = session.get(HumanTask, task_id)  # the caller's row, from the session: no SQL
    for name, value in (("state", DONE), ("completed_at", now), ("completed_by_id", by_id)):
        set_committed_value(row, name, value)
    return True


def _done_if(held: ColumnElement[bool]):
    return (
        update(HumanTask)
        .where(HumanTask.id == bindparam("task_id"), HumanTask.state == READY, held)
        .values(state=DONE, completed_at=bindparam("now"), completed_by_id=bindparam("by_id"))
        .returning(_DRAFTED)
    )


# Whether anyone has a draft of the task, read by the UPDATE that marks it done: a draft
# saved after it is as late as one saved after a separate DELETE would have been.
_DRAFTED = (
    select(TaskDraft.task_id).where(TaskDraft.task_id == HumanTask.id).exists().label("drafted")
)
# Built once, as the statements above: one for a task nobody held, one for a held task.
_DONE_IF_UNHELD = _done_if(HumanTask.assignee_id.is_(None))
_DONE_IF_HELD = _done_if(HumanTask.assignee_id == bindparam("held_by"))
