"""Audit events: who did what, when, to which instance and task. Append-only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import User


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "instance_id", "at"), Index(None, "actor_id", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


def record(
    session: Session,
    actor: User | None,
    action: str,
    at: datetime,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    **detail,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with the change)."""
    event = AuditEvent(
        at=at,
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        action=action,
        instance_id=instance_id,
        task_id=task_id,
        detail=detail,
    )
    session.add(event)
    return event


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.instance_id == instance_id)
    return list(session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))
