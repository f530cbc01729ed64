"""Unfinished answers to a task, kept on the server per task and person until it is done.

A draft stores what the form posted, as typed (invalid dates included), so saving part of a
long form and coming back later loses nothing; it is never seen by the workflow.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, bindparam, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow


class TaskDraft(Base):
    __tablename__ = "task_drafts"

    task_id: Mapped[str] = mapped_column(ForeignKey("human_tasks.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def draft_for(session: Session, task_id: str, user_id: int) -> TaskDraft | None:
    return session.get(TaskDraft, (task_id, user_id))


def drafted_task_ids(session: Session, user_id: int, task_ids: list[str]) -> set[str]:
    """Which of these tasks the person has a saved draft for (one query for a whole page)."""
    if not task_ids:
        return set()
    query = select(TaskDraft.task_id).where(
        TaskDraft.user_id == user_id, TaskDraft.task_id.in_(task_ids)
    )
    return set(session.scalars(query))


def delete_drafts(session: Session, task_ids: Iterable[str]) -> None:
    """Every person's drafts of these tasks, in the caller's transaction."""
    ids = list(task_ids)
    if ids:
        session.execute(_DELETE_DRAFTS, {"ids": ids})


# Built once (every completion runs it): see `engine.models.tokens._BY_DIGEST`.
_DELETE_DRAFTS = delete(TaskDraft).where(TaskDraft.task_id.in_(bindparam("ids", expanding=True)))
