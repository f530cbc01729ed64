"""Timer rows: one per waiting timer event of a running instance, and the ones that fired.

The workflow state is the truth; these rows are derived from it at every save (see
`engine/workflow/timer_rows.py`), so a manager can see what is due and when without opening
any state, and the lag of every firing (fired minus due) is measured. Rows of timers that
were cancelled (their task was done first) are deleted; fired rows stay as the record of
when each fired.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, func, select, true
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime
from engine.models.instances import RUNNING, ProcessInstance

EVERY_ROW = true()  # no narrowing: the default `condition` of the lists below

WAITING, FIRED = "waiting", "fired"


class Timer(Base):
    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("instance_id", "task_id"),
        Index(None, "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))  # the waiting event's SpiffWorkflow task id
    element: Mapped[str] = mapped_column(String(120))  # the timer's BPMN id
    name: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=WAITING)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fired_by: Mapped[str | None] = mapped_column(String(120))

    instance: Mapped[ProcessInstance] = relationship()

    @property
    def lag_seconds(self) -> float | None:
        if self.fired_at is None:
            return None
        return (self.fired_at - self.due_at).total_seconds()


def waiting_by_instance(session: Session, instance_ids: list[int]) -> dict[int, list[Timer]]:
    """The waiting timer rows of several instances in one statement (a batch of firings)."""
    query = select(Timer).where(Timer.instance_id.in_(instance_ids), Timer.status == WAITING)
    found = defaultdict(list)
    for row in session.scalars(query):
        found[row.instance_id].append(row)
    return found


def timers_of(session: Session, instance_id: int) -> list[Timer]:
    query = select(Timer).where(Timer.instance_id == instance_id)
    return list(session.scalars(query.order_by(Timer.due_at, Timer.id)))


def waiting_timers(
    session: Session, limit: int = 50, due_before: datetime | None = None, condition=EVERY_ROW
):
    """Waiting timers of running instances, soonest first (the scheduler page's 'next due');
    `condition` on their instance (a manager's view: the children they may see)."""
    query = (
        select(Timer)
        .join(Timer.instance)
        .where(Timer.status == WAITING, ProcessInstance.status == RUNNING, condition)
        .options(joinedload(Timer.instance))
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
    )
    if due_before is not None:
        query = query.where(Timer.due_at < due_before)
    return list(session.scalars(query))


def recently_fired(session: Session, limit: int = 20, condition=EVERY_ROW) -> list[Timer]:
    query = (
        select(Timer)
        .join(Timer.instance)
        .where(Timer.status == FIRED, condition)
        .options(joinedload(Timer.instance))
        .order_by(Timer.fired_at.desc(), Timer.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def count_overdue(session: Session, now: datetime) -> int:
    """Waiting timers whose moment has passed: each should fire within a sweep."""
    query = (
        select(func.count(Timer.id))
        .join(Timer.instance)
        .where(Timer.status == WAITING, Timer.due_at < now, ProcessInstance.status == RUNNING)
    )
    return session.scalar(query) or 0


def waiting_figures(session: Session, now: datetime) -> tuple[int, int, datetime | None]:
    """Waiting timers of running instances: how many, how many overdue, the oldest overdue."""
    overdue = Timer.due_at < now
    query = (
        select(
            func.count(Timer.id),
            func.count(Timer.id).filter(overdue),
            func.min(Timer.due_at).filter(overdue),
        )
        .join(Timer.instance)
        .where(Timer.status == WAITING, ProcessInstance.status == RUNNING)
    )
    waiting, late, oldest = session.execute(query).one()
    return waiting or 0, late or 0, oldest
