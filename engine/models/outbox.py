"""The outbox: email written in the same transaction as the step that caused it.

A row is the promise to send; the sender (`engine/messaging/outbox.py`) delivers pending rows later,
records every attempt, and backs off when the mail server is unreachable. The idempotency key
makes the same notification (one reminder for one step of one instance) impossible to queue
twice. Emails carry a case reference and a link, never a child's name or the concerns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, func, select, true
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.people import User

# pending: to send; sent: the mail server took it; failed: gave up after every retry;
# held: waiting for the addressee's daily digest; digested: went out inside a digest.
PENDING, SENT, FAILED, HELD, DIGESTED = "pending", "sent", "failed", "held", "digested"
STATUSES = (PENDING, SENT, FAILED, HELD, DIGESTED)
EVERY_ROW = true()  # no narrowing: the default `condition` of the lists below


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index(None, "status", "next_attempt_at"),)

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
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    to_user: Mapped[User | None] = relationship()

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a receiving server can drop a repeat."""
        return f"<outbox-{self.idempotency_key.replace(':', '.')}@cpc.invalid>"


class OutboxAttempt(Base):
    """One try at handing a message to the mail server, kept whether it worked or not."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    worker: Mapped[str] = mapped_column(String(120))
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


def exists(session: Session, key: str) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)
    return session.scalar(query) is not None


def messages_with_status(
    session: Session, status: str, limit: int = 50, condition=EVERY_ROW
) -> list[OutboxMessage]:
    """One page of messages in `status`; `condition` narrows them (a manager's children)."""
    newest_first = status in (SENT, DIGESTED)
    order = OutboxMessage.id.desc() if newest_first else OutboxMessage.id
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == status, condition)
        .options(joinedload(OutboxMessage.to_user))
        .order_by(order)
        .limit(limit)
    )
    return list(session.scalars(query))


def counts_by_status(session: Session) -> dict[str, int]:
    query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    return {status: 0 for status in STATUSES} | dict(session.execute(query).all())


def held_for_digest(session: Session) -> dict[int, list[OutboxMessage]]:
    """Messages held for a daily digest, by addressee."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == HELD)
        .order_by(OutboxMessage.to_user_id, OutboxMessage.id)
    )
    grouped: dict[int, list[OutboxMessage]] = {}
    for message in session.scalars(query):
        grouped.setdefault(message.to_user_id, []).append(message)
    return grouped


def attempts_for(session: Session, message_id: int) -> list[OutboxAttempt]:
    query = select(OutboxAttempt).where(OutboxAttempt.message_id == message_id)
    return list(session.scalars(query.order_by(OutboxAttempt.id)))


def oldest_pending(session: Session) -> datetime | None:
    """When the longest-waiting email still to be sent was written (None: nothing waits)."""
    query = select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == PENDING)
    return session.scalar(query)
