"""A manager's hold on an instance: suspend, resume, and end it for good.

These change the instance row and its open tasks, never the workflow state, so they need no
step: each is one transaction with its audit event. The engine calls them and forgets its
cached workflow afterwards (`Engine.suspend`, `resume`, `terminate`); a step that ends an
instance (`end_process`) closes it the same way, inside that step's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.base import fetch
from engine.models.drafts import delete_drafts
from engine.models.instances import (
    CANCELLED,
    SUSPENDED,
    TERMINATED,
    ProcessInstance,
    open_tasks,
)
from engine.models.people import User
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InstanceNotActive, NotAllowed
from engine.workflow import permissions, timer_rows


def managed(session: Session, instance_id: int, actor: User) -> ProcessInstance:
    """The instance, if the actor may suspend, resume or end cases."""
    if not permissions.can_manage_instances(actor):
        raise NotAllowed("Only managers can suspend, resume or end a case's workflow.")
    return fetch(session, ProcessInstance, instance_id, f"No instance {instance_id}.")


def change(
    session: Session, instance_id: int, actor: User, expected: str, new: str, reason: str, now
) -> ProcessInstance:
    """Move a managed instance from `expected` to `new` (suspended or running), audited."""
    instance = managed(session, instance_id, actor)
    if instance.status != expected:
        raise InstanceNotActive(f"This case is {instance.status}, not {expected}.")
    with transaction(session):
        instance.status, instance.updated_at = new, now
        verb = "suspended" if new == SUSPENDED else "resumed"
        audit.record(
            session, actor, f"instance.{verb}", now, instance_id=instance.id, reason=reason
        )
    return instance


def terminate(
    session: Session, instance_id: int, actor: User, reason: str, now: datetime
) -> ProcessInstance:
    """End a managed instance for good, with the manager's reason."""
    if not reason.strip():
        raise EngineError("Give a reason for ending this case's workflow.")
    instance = managed(session, instance_id, actor)
    if not instance.active:
        raise InstanceNotActive(f"This case is already {instance.status}.")
    with transaction(session):
        close(session, instance, actor, "instance.terminated", reason, now)
    return instance


def close(session: Session, instance, actor, action: str, reason: str, now: datetime) -> None:
    """Stop an instance for good, inside the caller's transaction: its open tasks cancelled
    (their drafts gone), no timer left to fire."""
    rows = open_tasks(session, instance.id)
    for row in rows:
        row.state, row.completed_at = CANCELLED, now
    delete_drafts(session, [row.id for row in rows])
    timer_rows.clear(session, instance.id)
    instance.status, instance.ended_at, instance.next_timer_at = TERMINATED, now, None
    instance.updated_at = now
    audit.record(session, actor, action, now, instance_id=instance.id, reason=reason)
