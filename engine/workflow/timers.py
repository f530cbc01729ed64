"""Timers: the rows that mirror each workflow's waiting timers, and the sweep that fires them.

A due timer fires in exactly one process. The sweep claims instances with a lease (owner,
expiry) taken in one statement (`engine.platform.leases`: `FOR UPDATE SKIP LOCKED` on
PostgreSQL, a conditional UPDATE on SQLite, whose writers queue anyway). Firing then loads
the instance, lets SpiffWorkflow advance every due timer by the engine clock, saves, and gives
the lease back only if it is still ours, all in one transaction guarded by the instance's
version counter. A worker that dies holding a lease lets it expire, and another worker
fires the timer, once.

Only instances with something due are ever loaded: the claim reads the indexed
`next_timer_at` column, never the state. After downtime the first sweep fires every overdue
timer, earliest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select, true, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from engine.access import access
from engine.models import audit
from engine.models.base import fetch
from engine.models.instances import RUNNING, ProcessInstance
from engine.models.people import User
from engine.platform import leases
from engine.platform.db import redo_if_lost, transaction
from engine.platform.errors import ConcurrentUpdate, EngineError, NotAllowed
from engine.workflow import step_failures

EVERY_ROW = true()  # no narrowing: the default `condition` of the lists below

log = logging.getLogger(__name__)

LEASE_SECONDS = 30
BATCH = 50
MAX_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 30
MAX_BACKOFF_SECONDS = 3600
_INSTANCES = ProcessInstance.__table__
_FIRED = TaskState.READY | TaskState.COMPLETED


class LeaseLost(EngineError):
    """Our lease ran out and another worker holds it now: this attempt saves nothing."""


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    element: str
    name: str
    due: datetime | None  # None until SpiffWorkflow has evaluated the expression


def waiting(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    """Every timer event the workflow (and its subprocesses) is waiting on.

    Asked about 19 times per ICPC case (before, during and after each step, and for its
    rows), mostly of a workflow unchanged since: the answer is kept on the workflow with
    what it was made of, each waiting timer's task, spec, definition and due-time text, and
    given again only while all of these are the very same (`_same`), read afresh each time.
    """
    made_of = []
    for task in workflow.event_manager.tasks.values():
        spec = task.task_spec
        definition = spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            if type(definition).details in _DETAILS_IS_EVENT_VALUE:
                value = task.internal_data.get("event_value")
            else:
                value = definition.details(task).value
            made_of.append((task, spec, definition, value if isinstance(value, str) else None))
    kept = workflow.__dict__.get(_KEPT)
    if kept is not None and _same(kept[0], made_of):
        return list(kept[1])
    found = [_made(task, spec, definition, value) for task, spec, definition, value in made_of]
    workflow.__dict__[_KEPT] = (made_of, found)
    return list(found)


_KEPT = "_engine_waiting_timers"  # (what the list was made of, the list)
# The definitions whose `details(task).value` is the task's internal `event_value` as it is.
_DETAILS_IS_EVENT_VALUE = frozenset(
    {TimeDateEventDefinition.details, DurationTimerEventDefinition.details}
)


def _same(kept: list, now: list) -> bool:
    """The same tasks in the same order, each with the very spec and definition (parsed
    diagrams, never changed: a version move gives a task another spec), and the same
    due-time text (a string; anything else has no due time, `_made`)."""
    if len(kept) != len(now):
        return False
    for (task, spec, definition, value), after in zip(kept, now, strict=True):
        if task is not after[0] or spec is not after[1] or definition is not after[2]:
            return False
        if value != after[3]:
            return False
    return True


def _timer(task, definition: TimerEventDefinition) -> WaitingTimer:
    return _made(task, task.task_spec, definition, definition.details(task).value)


def _made(task, spec, definition, value) -> WaitingTimer:
    due = _due_at(value) if isinstance(value, str) else None
    element = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None) or definition.name or element
    return WaitingTimer(str(task.id), element, name, due)


@lru_cache(maxsize=4096)
def _due_at(value: str) -> datetime:
    """`TimerEventDefinition.get_datetime`, read once per value: each step lists the same
    waiting timers several times (before, during and after it, and for their rows)."""
    return TimerEventDefinition.get_datetime(value)


def fired_ids(workflow: BpmnWorkflow) -> set[str]:
    """The timer events of the workflow (and its subprocesses) that have fired already."""
    return {str(task.id) for task, _definition in _fired(workflow)}


def fired_since(workflow: BpmnWorkflow, before: set[str]) -> list[WaitingTimer]:
    """The timers that fired since `before` (`fired_ids`) was taken, earliest due first.

    SpiffWorkflow fires a timer the moment it starts, if its due time has passed already (a
    step recorded after the date it counts from), so such a timer never waits: `waiting`
    and `due` never see it.
    """
    found = [_timer(task, d) for task, d in _fired(workflow) if str(task.id) not in before]
    return sorted(found, key=lambda t: (t.due is None, t.due or datetime.min, t.element))


def _fired(workflow: BpmnWorkflow):
    """(task, definition) of each timer event that is ready (fired, branch not yet run) or
    completed; a timer cancelled with its task never fired."""
    for each in (workflow, *workflow.subprocesses.values()):
        for task in each.tasks.values():
            definition = getattr(task.task_spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and task.state & _FIRED:
                yield task, definition


def due(
    workflow: BpmnWorkflow, now: datetime, waiting_now: list[WaitingTimer] | None = None
) -> list[WaitingTimer]:
    """Timers whose moment has passed. SpiffWorkflow fires only once it is strictly past.
    `waiting_now` is `waiting(workflow)` when the caller has just asked it."""
    if waiting_now is None:
        waiting_now = waiting(workflow)
    return [t for t in waiting_now if t.due is not None and t.due < now]


# ---- the claim ----------------------------------------------------------------------------


def claim(session: Session, owner: str, now: datetime, lease_seconds: int, limit: int):
    """Lease up to `limit` instances with a timer due, earliest first; their ids."""
    with transaction(session):
        redo_if_lost(session)  # a lost claim is only a lease nobody holds
        return leases.claim(
            session,
            _INSTANCES,
            due=(
                _INSTANCES.c.status == RUNNING,
                _INSTANCES.c.next_timer_at < now,
                _INSTANCES.c.timer_failed_at.is_(None),
            ),
            order_by=(_INSTANCES.c.next_timer_at,),
            owner=owner,
            now=now,
            lease_seconds=lease_seconds,
            limit=limit,
        )


def check_lease(instance: ProcessInstance, owner: str) -> None:
    """Refuse to fire an instance whose lease, as just read, is no longer ours."""
    if instance.lease_owner != owner:
        raise LeaseLost(f"The lease on instance {instance.id} passed to another worker.")


def hand_back(instance: ProcessInstance) -> None:
    """Clear our lease in the firing's own UPDATE of the instance, saving a statement.

    That UPDATE matches only the version we read, so if another worker took the lease over
    and fired first, ours fails and saves nothing; if we are first, theirs fails.
    """
    instance.lease_owner = instance.lease_until = None
    instance.timer_attempts, instance.timer_error = 0, None


def release(session: Session, instance: ProcessInstance, owner: str) -> None:
    """Give the lease back inside the firing transaction; refuse if it is no longer ours."""
    result = session.execute(
        update(_INSTANCES)
        .where(_INSTANCES.c.id == instance.id, _INSTANCES.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None, timer_attempts=0, timer_error=None)
    )
    if result.rowcount != 1:
        raise LeaseLost(f"The lease on instance {instance.id} passed to another worker.")
    for name, value in (("lease_owner", None), ("lease_until", None), ("timer_attempts", 0)):
        set_committed_value(instance, name, value)
    set_committed_value(instance, "timer_error", None)


def _let_go(sessions: sessionmaker, instance_id: int, owner: str) -> None:
    """Drop our lease without firing, so the next sweep may try at once."""
    with sessions() as session, transaction(session):
        leases.let_go(session, _INSTANCES, [instance_id], owner)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most an hour between tries."""
    seconds = FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def record_failure(
    sessions,
    instance_id: int,
    owner: str,
    error: str,
    now: datetime,
    element: str | None = None,
    stopped=None,
) -> bool:
    """Count a failed firing, back off, and after MAX_ATTEMPTS stop until a manager retries.

    Returns True when the instance is now marked failed. Written in its own transaction,
    because the firing's transaction has rolled back. The audit event names the diagram
    `element` at fault when known, for the process owner's failures page. On the last try
    `stopped(session, instance_id, now)` (the engine's `Hooks.timers_stopped`) tells the
    managers in the same transaction: nothing else would until someone opened the page.
    """
    with sessions() as session, transaction(session):
        query = select(_INSTANCES.c.lease_owner, _INSTANCES.c.timer_attempts).where(
            _INSTANCES.c.id == instance_id
        )
        row = session.execute(query).first()
        if row is None or row.lease_owner != owner:
            return False
        attempts = (row.timer_attempts or 0) + 1
        failed = attempts >= MAX_ATTEMPTS
        session.execute(
            update(_INSTANCES)
            .where(_INSTANCES.c.id == instance_id, _INSTANCES.c.lease_owner == owner)
            .values(
                lease_owner=None,
                lease_until=now + backoff(attempts),
                timer_attempts=attempts,
                timer_error=error[:2000],
                timer_failed_at=now if failed else None,
            )
        )
        audit.record(
            session,
            None,
            "timers.failed" if failed else "timers.retrying",
            now,
            instance_id=instance_id,
            attempts=attempts,
            error=error[:500],
            element=element,
        )
        if failed and stopped is not None:
            stopped(session, instance_id, now)
    return failed


def retry(session: Session, instance_id: int, actor: User, now: datetime) -> ProcessInstance:
    """A manager asks for a failed instance's timers to be tried again at once."""
    from engine.workflow.permissions import can_manage_instances

    if not can_manage_instances(actor):
        raise NotAllowed("Only managers can retry a failed timer.")
    instance = fetch(session, ProcessInstance, instance_id, f"No instance {instance_id}.")
    access.require_instance(session, actor, instance)
    if instance.timer_failed_at is None and instance.timer_attempts == 0:
        raise EngineError(f"Case {instance.reference} has no failed timer to retry.")
    with transaction(session):
        clear_failure(session, instance_id)
        audit.record(session, actor, "timers.retry", now, instance_id=instance_id)
    session.expire(instance)
    return instance


def clear_failure(session: Session, instance_id: int) -> None:
    """Forget an instance's failed firings, so the next sweep tries its timers at once."""
    session.execute(
        update(_INSTANCES)
        .where(_INSTANCES.c.id == instance_id)
        .values(
            lease_owner=None,
            lease_until=None,
            timer_attempts=0,
            timer_error=None,
            timer_failed_at=None,
        )
    )


# ---- the sweep ----------------------------------------------------------------------------


@dataclass
class SweepResult:
    instances: int = 0  # instances in which at least one timer fired
    timers: int = 0  # timers fired
    failed: list[int] = field(default_factory=list)

    def __iadd__(self, other: SweepResult) -> SweepResult:
        self.instances += other.instances
        self.timers += other.timers
        self.failed += other.failed
        return self


def sweep(
    sessions: sessionmaker,
    engine,
    owner: str,
    lease_seconds: int = LEASE_SECONDS,
    batch: int = BATCH,
    progress: Callable[[], None] | None = None,
) -> SweepResult:
    """Fire every timer due by the engine clock, earliest first, until none is left.

    `progress` is called after each batch, so a heartbeat can tell a long catch-up from a
    sweep that stopped moving."""
    result = SweepResult()
    while True:
        with sessions() as session:
            claimed = claim(session, owner, engine.clock.now(), lease_seconds, batch)
        if not claimed:
            return result
        result += fire_claimed(sessions, engine, claimed, owner)
        if progress is not None:
            progress()


def fire_claimed(sessions: sessionmaker, engine, claimed: list[int], owner: str) -> SweepResult:
    """Fire a claimed batch in one transaction (the common, fast case); if that fails, one
    by one, so that one failing instance is isolated, counted and backed off alone."""
    result, left = SweepResult(), claimed
    if len(claimed) > 1:
        try:
            with sessions() as session:
                fired, left = engine.fire_batch(session, claimed, owner)
        except Exception as exc:  # noqa: BLE001 - nothing was saved: each is tried alone
            log.info("a batch of %d timers fell back to one by one: %s", len(claimed), exc)
            left = claimed
        else:
            result.instances, result.timers = len(fired), sum(fired.values())
    for instance_id in left:
        result += fire_one(sessions, engine, instance_id, owner)
    return result


def fire_one(sessions: sessionmaker, engine, instance_id: int, owner: str) -> SweepResult:
    """Fire one claimed instance; a failure is counted and backed off, never raised."""
    result = SweepResult()
    try:
        with sessions() as session:
            fired = engine.fire_timers(session, instance_id, lease_owner=owner)
            still_due = not fired and _still_due(session, instance_id, engine.clock.now())
    except LeaseLost:
        return result
    except ConcurrentUpdate:
        _let_go(sessions, instance_id, owner)  # someone moved the case on: look again
        return result
    except Exception as exc:  # noqa: BLE001 - any failure is recorded, the sweep goes on
        log.warning("timer firing failed for instance %s: %s", instance_id, exc)
        at = engine.clock.now()
        element = step_failures.element_of(exc)
        stopped = engine.hooks.timers_stopped
        if record_failure(sessions, instance_id, owner, _describe(exc), at, element, stopped):
            result.failed.append(instance_id)
        return result
    if fired:
        result.instances, result.timers = 1, fired
    elif still_due:
        # Claimed as due, yet nothing fired: never spin on it; back off and show it.
        message = "A timer is due but the workflow did not fire it."
        now, stopped = engine.clock.now(), engine.hooks.timers_stopped
        if record_failure(sessions, instance_id, owner, message, now, None, stopped):
            result.failed.append(instance_id)
    return result


def _still_due(session: Session, instance_id: int, now: datetime) -> bool:
    query = select(_INSTANCES.c.next_timer_at, _INSTANCES.c.status).where(
        _INSTANCES.c.id == instance_id
    )
    row = session.execute(query).first()
    return bool(row and row.status == RUNNING and row.next_timer_at and row.next_timer_at < now)


def _describe(exc: Exception) -> str:
    """The engine's own errors are written for people already; others keep their kind."""
    text = str(exc).strip()
    if isinstance(exc, EngineError) and text:
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ---- what managers see --------------------------------------------------------------------


def leased(session: Session, now: datetime, condition=EVERY_ROW) -> list[ProcessInstance]:
    """Instances a worker is firing now (a live lease)."""
    query = select(ProcessInstance).where(
        ProcessInstance.lease_owner.is_not(None), ProcessInstance.lease_until >= now, condition
    )
    return list(session.scalars(query.order_by(ProcessInstance.lease_until)))


def failing(session: Session, condition=EVERY_ROW) -> list[ProcessInstance]:
    """Instances whose timers failed to fire: backing off, or stopped for a manager."""
    query = select(ProcessInstance).where(ProcessInstance.timer_attempts > 0, condition)
    order = (ProcessInstance.timer_failed_at.is_(None), ProcessInstance.next_timer_at)
    return list(session.scalars(query.order_by(*order)))
