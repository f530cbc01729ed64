"""Late steps and escalations: what managers and inspectors look at first."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow


class Escalation(Base):
    """A deadline passed with its step still open: who was told, at which level, when."""

    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    step: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date | None] = mapped_column(Date)
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LateStep(Base):
    """A statutory step done after its due date, with the reason a manager agreed and, for a
    conference, the chair's answer (a late conference needs both, and both are kept)."""

    __tablename__ = "late_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    step: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(40))
    explanation: Mapped[str] = mapped_column(Text)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chair_agrees: Mapped[bool | None] = mapped_column(Boolean)
    chair_comment: Mapped[str | None] = mapped_column(Text)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chair_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def late_steps_for_child(session: Session, child_id: int) -> list[LateStep]:
    query = select(LateStep).where(LateStep.child_id == child_id)
    return list(session.scalars(query.order_by(LateStep.done_on, LateStep.id)))


def awaiting_chair(session: Session, instance_id: int) -> list[LateStep]:
    """A late conference's reasons a manager agreed that its chair has not yet answered."""
    query = select(LateStep).where(
        LateStep.instance_id == instance_id,
        LateStep.conference_id.is_not(None),
        LateStep.chair_answered_at.is_(None),
    )
    return list(session.scalars(query.order_by(LateStep.id)))


def escalations_for_child(session: Session, child_id: int) -> list[Escalation]:
    query = select(Escalation).where(Escalation.child_id == child_id)
    return list(session.scalars(query.order_by(Escalation.escalated_at, Escalation.id)))
