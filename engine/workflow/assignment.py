"""Who holds a ready task: claim it from a role's pool, hand it back, or have a manager assign it.

Each change is one transaction with its audit event. The row is updated only if it still is
as it was read (ready, and held by whom we saw), so two people claiming the same task at once
yield one holder and a clear message for the other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.access import access
from engine.models import audit
from engine.models.base import fetch
from engine.models.instances import DONE, READY, RUNNING, HumanTask
from engine.models.people import User, user_by_username
from engine.models.task_rows import set_assignee
from engine.platform.db import transaction
from engine.platform.errors import (
    ConcurrentUpdate,
    EngineError,
    InstanceNotActive,
    NotAllowed,
    TaskAlreadyCompleted,
)
from engine.workflow import permissions
from engine.workflow.hooks import Hooks


def _open_task(session: Session, actor: User, task_id: str) -> HumanTask:
    """The ready task of a running instance whose case the actor may see."""
    task = fetch(session, HumanTask, task_id, "There is no such task.")
    access.require_instance(session, actor, task.instance)
    if task.state == DONE:
        by = task.completed_by.display_name if task.completed_by else None
        raise TaskAlreadyCompleted(task.title, by, task.completed_at)
    if task.state != READY:
        raise InstanceNotActive(f"“{task.title}” is no longer needed.")
    if task.instance.status != RUNNING:
        raise InstanceNotActive(f"This case is {task.instance.status}: its tasks cannot change.")
    return task


def _lost(session: Session, task: HumanTask, message: str) -> EngineError:
    """Why the conditional UPDATE matched no row, read afresh: completed by someone (named),
    no longer needed, or held by someone else now (`message`). Nothing was written."""
    session.rollback()
    session.refresh(task)
    if task.state == DONE:
        by = task.completed_by.display_name if task.completed_by else None
        return TaskAlreadyCompleted(task.title, by, task.completed_at)
    if task.state != READY:
        return InstanceNotActive(f"“{task.title}” is no longer needed.")
    return ConcurrentUpdate(message)


def _holder(task: HumanTask) -> str:
    return task.assignee.display_name if task.assignee else "someone else"


def claim(session: Session, actor: User, task_id: str, now: datetime) -> HumanTask:
    """Take an unassigned task of one of your roles, so colleagues see it is being done."""
    try:
        task = _open_task(session, actor, task_id)
    except NotAllowed:
        # The usual cause: a colleague took it from the pool first (and with it, the access
        # the pool gave). Say that, without saying whose case it is.
        raise NotAllowed(
            "That task has already been taken by someone else, or is not in your pool."
        ) from None
    if task.assignee_id == actor.id:
        return task
    if task.assignee_id is not None:
        raise ConcurrentUpdate(f"“{task.title}” is already held by {_holder(task)}.")
    if not permissions.can_complete(actor, task):
        raise NotAllowed(f"“{task.title}” is for another role.")
    with transaction(session):
        if not set_assignee(session, task.id, actor.id, held_by=None):
            raise _lost(session, task, f"Someone else took “{task.title}” at the same moment.")
        audit.record(
            session, actor, "task.claimed", now, instance_id=task.instance_id, task_id=task.id
        )
    session.refresh(task)
    return task


def unclaim(
    session: Session, actor: User, task_id: str, now: datetime, *, named: bool = False
) -> HumanTask:
    """Hand a task you hold back to its role's pool; `named`: the diagram gives this step to
    a named person (the social worker, the chair), so it has no pool to go back to
    (`Engine.may_go_back`)."""
    task = _open_task(session, actor, task_id)
    if task.assignee_id != actor.id:
        raise NotAllowed(f"“{task.title}” is not held by you.")
    if named:
        raise NotAllowed(
            f"“{task.title}” is given to a named person by the process: "
            "ask a manager to pass it on."
        )
    if task.role is None:
        raise EngineError(f"“{task.title}” belongs to no role: nobody could pick it up.")
    with transaction(session):
        if not set_assignee(session, task.id, None, held_by=actor.id):
            raise _lost(session, task, f"“{task.title}” changed at the same moment: try again.")
        audit.record(
            session, actor, "task.unclaimed", now, instance_id=task.instance_id, task_id=task.id
        )
    session.refresh(task)
    return task


def assign(
    session: Session,
    actor: User,
    task_id: str,
    username: str | None,
    now: datetime,
    *,
    hooks: Hooks,
) -> HumanTask:
    """A manager gives a task to a named person of its role (None: back to the pool).

    The new holder is told, as for any new task of theirs.
    """
    if not permissions.can_assign(actor):
        raise NotAllowed("Only managers can assign tasks to other people.")
    task = _open_task(session, actor, task_id)
    if task.instance.child_id is not None:
        _child, level = access.require_child(session, actor, task.instance.child_id)
        if level is not access.Level.FULL:
            raise NotAllowed("You cannot assign tasks on this child's case.")
    return _give(session, actor, task, _assignee(session, task, username), now, hooks)


def pass_on(
    session: Session,
    actor: User,
    task_id: str,
    username: str,
    now: datetime,
    *,
    hooks: Hooks,
    named: bool = False,
) -> tuple[HumanTask, User]:
    """The holder (or a manager) passes a task to a named colleague who holds its role; a
    step the diagram gives to a named person (`named`) only a manager passes on."""
    task = _open_task(session, actor, task_id)
    if not permissions.can_reassign(actor, task, named):
        if named:
            raise NotAllowed(f"Only a manager can pass on “{task.title}”.")
        raise NotAllowed(f"Only the person holding “{task.title}” or a manager can pass it on.")
    if not (username or "").strip():
        raise EngineError("Choose a colleague to pass the task to.")
    colleague = _assignee(session, task, username.strip())
    if colleague.id == task.assignee_id:
        raise ConcurrentUpdate(f"{colleague.display_name} already holds “{task.title}”.")
    return _give(session, actor, task, colleague, now, hooks), colleague


def _give(session: Session, actor: User, task: HumanTask, assignee: User | None, now, hooks):
    """Hand the task to `assignee` (None: the pool) if it is still held as it was read; the
    new holder is told through `hooks.task_assigned`, in the same transaction."""
    held_by = task.assignee_id
    with transaction(session):
        if not set_assignee(session, task.id, assignee.id if assignee else None, held_by):
            raise _lost(session, task, f"“{task.title}” changed at the same moment: try again.")
        audit.record(
            session,
            actor,
            "task.assigned",
            now,
            instance_id=task.instance_id,
            task_id=task.id,
            to=assignee.username if assignee else None,
        )
        session.flush()
        session.refresh(task)
        if assignee is not None:
            hooks.task_assigned(session, task, assignee, actor, now)
    return task


def _assignee(session: Session, task: HumanTask, username: str | None) -> User | None:
    if username is None:
        if task.role is None:
            raise EngineError(f"“{task.title}” belongs to no role: it needs a named person.")
        return None
    user = user_by_username(session, username)
    if user is None or not user.active:
        raise EngineError(f"There is no active user called “{username}”.")
    if task.role is not None and not user.has_role(task.role):
        raise EngineError(f"{user.display_name} does not hold the role this task needs.")
    return user
