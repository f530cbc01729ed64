"""Diagram drafts (work in progress between deploys) and instance moves between versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.instances import ProcessInstance
from engine.models.processes import ProcessVersion


class DiagramDraft(Base):
    """One shared draft per process: what a process owner saved but has not deployed yet."""

    __tablename__ = "diagram_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_by: Mapped[str] = mapped_column(String(80))


class InstanceMove(Base):
    """An instance moved from one version to another, with what it takes to move it back."""

    __tablename__ = "instance_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    previous_state: Mapped[str] = mapped_column(Text, deferred=True)
    # The instance's version counter right after the move: a move can be undone only while
    # nothing has happened to the instance since (undoing would otherwise throw work away).
    lock_after: Mapped[int] = mapped_column(Integer)
    moved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    moved_by: Mapped[str] = mapped_column(String(80))
    reverted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reverted_by: Mapped[str | None] = mapped_column(String(80))

    instance: Mapped[ProcessInstance] = relationship()
    from_version: Mapped[ProcessVersion] = relationship(foreign_keys=[from_version_id])
    to_version: Mapped[ProcessVersion] = relationship(foreign_keys=[to_version_id])


def draft_for(session: Session, process_id: str) -> DiagramDraft | None:
    return session.scalar(select(DiagramDraft).where(DiagramDraft.process_id == process_id))


def moves_of(session: Session, process_id: str, limit: int = 200) -> list[InstanceMove]:
    """The latest moves of a process's instances, newest first."""
    query = (
        select(InstanceMove)
        .join(InstanceMove.instance)
        .where(ProcessInstance.process_id == process_id)
        .options(joinedload(InstanceMove.instance))
        .order_by(InstanceMove.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def instance_counts(session: Session, process_id: str) -> dict[int, dict[str, int]]:
    """Instances per version and status: which running cases are on which version."""
    query = (
        select(ProcessInstance.version_id, ProcessInstance.status, func.count())
        .where(ProcessInstance.process_id == process_id)
        .group_by(ProcessInstance.version_id, ProcessInstance.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for version_id, status, count in session.execute(query):
        counts.setdefault(version_id, {})[status] = count
    return counts
