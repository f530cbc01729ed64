"""The queries behind a process owner's failures page: what each diagram version caused.

Failed timers are the instances still backing off or stopped (`timer_attempts`), with the
audit events that say which element failed; failed steps are the `step.failed` audit events
written when a person's step could not continue.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.audit import AuditEvent
from engine.models.instances import ProcessInstance

TIMER_FAILURES = ("timers.retrying", "timers.failed")
STEP_FAILED = "step.failed"
LIMIT = 500


def failing_timers(session: Session, version_id: int) -> list[ProcessInstance]:
    """Instances on the version whose timers fail now: backing off or stopped."""
    query = select(ProcessInstance).where(
        ProcessInstance.version_id == version_id, ProcessInstance.timer_attempts > 0
    )
    return list(session.scalars(query.order_by(ProcessInstance.id)))


def latest_timer_failures(session: Session, instance_ids: list[int]) -> dict[int, AuditEvent]:
    """The newest timer-failure event of each instance."""
    if not instance_ids:
        return {}
    query = (
        select(AuditEvent)
        .where(AuditEvent.instance_id.in_(instance_ids), AuditEvent.action.in_(TIMER_FAILURES))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return {event.instance_id: event for event in session.scalars(query)}


def first_timer_failures(session: Session, instance_ids: list[int]) -> dict[int, AuditEvent]:
    """The oldest timer-failure event of each instance (when its trouble began)."""
    if not instance_ids:
        return {}
    query = (
        select(AuditEvent)
        .where(AuditEvent.instance_id.in_(instance_ids), AuditEvent.action.in_(TIMER_FAILURES))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    return {event.instance_id: event for event in session.scalars(query)}


def step_failures(session: Session, process_id: str) -> list[tuple[AuditEvent, ProcessInstance]]:
    """The process's failed steps, newest first, with their instances (the newest LIMIT)."""
    query = (
        select(AuditEvent, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(ProcessInstance.process_id == process_id, AuditEvent.action == STEP_FAILED)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(LIMIT)
    )
    return [(event, instance) for event, instance in session.execute(query)]
