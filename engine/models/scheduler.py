"""What the scheduler leaves in the database: a heartbeat per process, and once-a-day runs.

Several processes run the scheduler at once (each app worker, or a dedicated one). A heartbeat
row per process shows managers and readiness checks that timers are being swept; a run row
makes a daily job (the digest) happen once a day however many processes are running it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime


class SchedulerProcess(Base):
    __tablename__ = "scheduler_processes"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # the lease owner name
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(20))  # app | standalone
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    timers_fired: Mapped[int] = mapped_column(Integer, default=0)
    mail_sent: Mapped[int] = mapped_column(Integer, default=0)
    # When the timer sweep now under way last finished a batch (or began); None when idle.
    sweep_busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduledRun(Base):
    """A periodic job that has run for a period (`digest`, `2026-11-23`): inserted once."""

    __tablename__ = "scheduled_runs"

    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(60), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


def processes_seen_since(session: Session, since: datetime) -> list[SchedulerProcess]:
    query = select(SchedulerProcess).where(SchedulerProcess.beat_at >= since)
    return list(session.scalars(query.order_by(SchedulerProcess.beat_at.desc())))


def last_heartbeat(session: Session) -> datetime | None:
    """When any scheduler process last reported in (None: none ever has)."""
    return session.scalar(select(func.max(SchedulerProcess.beat_at)))


def sweeps_busy_since(session: Session, before: datetime) -> list[SchedulerProcess]:
    """Processes whose timer sweep has made no progress since `before`, longest first."""
    query = select(SchedulerProcess).where(SchedulerProcess.sweep_busy_since < before)
    return list(session.scalars(query.order_by(SchedulerProcess.sweep_busy_since)))
