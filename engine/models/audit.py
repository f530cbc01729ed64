"""Audit events: who did what, when, to which instance and task. Append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, func, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.instances import ProcessInstance
from engine.models.people import User


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index(None, "instance_id", "at"),
        Index(None, "actor_id", "at"),
        Index(None, "child_id", "at"),
        Index(None, "action", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def refuse_changes(session: Session, _context, _instances) -> None:
    """The application may add audit events, never change or remove one."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditIsAppendOnly("Audit events cannot be changed or deleted.")


class AuditIsAppendOnly(RuntimeError):
    pass


def record(
    session: Session,
    actor: User | None,
    action: str,
    at: datetime,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    child_id: int | None = None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with the change).

    An event on a case carries the case's child even when the caller named only the instance
    (a task completed, a timer fired), so the search by child finds every change to it.
    """
    event = AuditEvent(**_row(session, actor, action, at, instance_id, task_id, child_id, detail))
    session.add(event)
    return event


def record_now(
    session: Session,
    actor: User | None,
    action: str,
    at: datetime,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    child_id: int | None = None,
    **detail,
) -> None:
    """`record`, written at once by a plain INSERT: for a command's own event once its other
    writes are done (a task completed, a case started). The ORM's flush of that one row cost
    more than the row itself, on every completion."""
    row = _row(session, actor, action, at, instance_id, task_id, child_id, detail)
    session.execute(_INSERT, row)


def _row(session, actor, action, at, instance_id, task_id, child_id, detail) -> dict:
    if child_id is None and instance_id is not None:
        with session.no_autoflush:
            instance = session.get(ProcessInstance, instance_id)
        child_id = instance.child_id if instance is not None else None
    return {
        "at": at,
        "actor_id": actor.id if actor else None,
        "actor_name": actor.username if actor else "system",
        "action": action,
        "instance_id": instance_id,
        "task_id": task_id,
        "child_id": child_id,
        "detail": detail,
    }


_INSERT = insert(AuditEvent.__table__)


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id)
    return list(session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))


def raised_by_link(session: Session, child_id: int) -> dict[int, str]:
    """Who raised each of the child's requests made by a professional's secure link (no
    account, so no `raised_by` user): their name, as the audit event recorded it."""
    query = select(AuditEvent.detail).where(
        AuditEvent.child_id == child_id,
        AuditEvent.action == "request.raised",
        AuditEvent.actor_id.is_(None),
    )
    return {d["request"]: d["raised_by"] for d in session.scalars(query) if d.get("raised_by")}


@dataclass
class AuditPage:
    events: list[AuditEvent]
    total: int


def search(
    session: Session,
    *,
    username: str | None = None,
    child_id: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AuditPage:
    """Audit events matching every given filter, newest first, one page of them."""
    conditions = []
    if username:
        conditions.append(AuditEvent.actor_name == username)
    if child_id is not None:
        # Events written before every case event carried its child are found by their case.
        cases = select(ProcessInstance.id).where(ProcessInstance.child_id == child_id)
        conditions.append(or_(AuditEvent.child_id == child_id, AuditEvent.instance_id.in_(cases)))
    if action:
        conditions.append(AuditEvent.action.startswith(action, autoescape=True))
    if since:
        conditions.append(AuditEvent.at >= since)
    if until:
        conditions.append(AuditEvent.at < until)
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
    query = (
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return AuditPage(list(session.scalars(query)), total or 0)


ASSIGNMENT_ACTIONS = ("task.claimed", "task.unclaimed", "task.assigned")


def claimed_last(session: Session, tasks: list[tuple[int, str]]) -> set[str]:
    """Of these (instance id, task id) pairs, the tasks whose latest claim, unclaim or
    assignment was a claim; one query, through the instance's index."""
    if not tasks:
        return set()
    query = (
        select(AuditEvent.task_id, AuditEvent.action)
        .where(
            AuditEvent.instance_id.in_({instance_id for instance_id, _ in tasks}),
            AuditEvent.task_id.in_({task_id for _, task_id in tasks}),
            AuditEvent.action.in_(ASSIGNMENT_ACTIONS),
        )
        .order_by(AuditEvent.id)
    )
    latest = dict(session.execute(query).all())  # the last row of each task wins
    return {task_id for task_id, action in latest.items() if action == "task.claimed"}
