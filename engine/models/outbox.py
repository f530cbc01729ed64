"""The outbox: email written in the same transaction as the step that caused it.

A row is the promise to send; the sender delivers pending rows later. The idempotency key
makes the same notification (one reminder for one step of one instance) impossible to queue
twice. Emails carry a case reference and a link, never a child's name or the concerns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, UTCDateTime, utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link_path: Mapped[str | None] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"))
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def exists(session: Session, key: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    return session.scalar(query) is not None


def messages_for_instance(session: Session, instance_id: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.instance_id == instance_id)
    return list(session.scalars(query.order_by(OutboxMessage.id)))
