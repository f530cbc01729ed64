"""Brothers and sisters, and the conferences they are seen at together.

A family joins the children who are siblings (set on each child's record, never guessed from
a surname); a conference group joins the per-child conference rows of one meeting. Each
child keeps their own conference row, workflow, statutory dates and decision: the group is
what makes the meeting one booking, one attendance record, one set of invitations and
minutes, and one meeting in the "by conference" figures.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.conferences import Conference
from engine.models.people import Child


class Family(Base):
    __tablename__ = "families"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConferenceGroup(Base):
    __tablename__ = "conference_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def siblings_of(session: Session, child: Child) -> list[Child]:
    """The child's brothers and sisters on record (not the child), eldest first."""
    if child.family_id is None:
        return []
    query = select(Child).where(Child.family_id == child.family_id, Child.id != child.id)
    return list(session.scalars(query.order_by(Child.date_of_birth, Child.id)))


def group_conferences(session: Session, group_id: int | None) -> list[Conference]:
    """The per-child conference rows of one family conference, in the order they joined."""
    if group_id is None:
        return []
    query = (
        select(Conference)
        .where(Conference.group_id == group_id)
        .options(joinedload(Conference.chair))
        .order_by(Conference.id)
    )
    return list(session.scalars(query))


def group_children(session: Session, group_id: int | None) -> list[Child]:
    """The children a family conference is for, in the order they joined."""
    if group_id is None:
        return []
    query = (
        select(Child)
        .join(Conference, Conference.child_id == Child.id)
        .where(Conference.group_id == group_id)
        .order_by(Conference.id)
    )
    return list(session.scalars(query))


def open_sibling_conferences(session: Session, child: Child) -> list[Conference]:
    """Booked-or-not, unheld conferences of the child's siblings: the ones this child's
    conference may join (or be joined by)."""
    if child.family_id is None:
        return []
    query = (
        select(Conference)
        .join(Child, Child.id == Conference.child_id)
        .where(
            Child.family_id == child.family_id,
            Child.id != child.id,
            Conference.held_on.is_(None),
        )
        .order_by(Conference.due_on, Conference.id)
    )
    return list(session.scalars(query))
