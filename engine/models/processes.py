"""Deployed diagram versions: immutable once written."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, bindparam, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow


class ProcessVersion(Base):
    __tablename__ = "process_versions"
    __table_args__ = (
        Index(None, "process_id", "content_hash"),
        Index(None, "process_id", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    # 1, 2, 3… within the process: what owners call the version (ids are shared by all).
    number: Mapped[int] = mapped_column(Integer, server_default="0")
    name: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)  # read once per version
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_by: Mapped[str] = mapped_column(String(80))
    # Why this version exists, in the process owner's words ("core groups every 4 weeks").
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")


def latest_version(session: Session, process_id: str) -> ProcessVersion | None:
    return session.scalar(_LATEST, {"process_id": process_id})


# Built once (every start asks): a request reuses the statement and its cache key.
_LATEST = (
    select(ProcessVersion)
    .where(ProcessVersion.process_id == bindparam("process_id"))
    .order_by(ProcessVersion.id.desc())
    .limit(1)
)


def versions_of(session: Session, process_id: str) -> list[ProcessVersion]:
    """Every deployed version of a process, newest first."""
    query = select(ProcessVersion).where(ProcessVersion.process_id == process_id)
    return list(session.scalars(query.order_by(ProcessVersion.id.desc())))


def latest_versions(session: Session) -> list[ProcessVersion]:
    newest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)
    query = select(ProcessVersion).where(ProcessVersion.id.in_(newest))
    return list(session.scalars(query.order_by(ProcessVersion.process_id)))
