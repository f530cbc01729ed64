"""Secure links for professionals without an account, and the letters waiting to be posted.

A GP, a school or a health visitor invited by email, with no account here, is sent a
single-use link to their own report; only the token's hash is kept. Everyone else without an
account (parents, a professional with no email) is sent the conference's letters by post:
each such letter waits in the print queue until business support marks it posted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, bindparam, select, update
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.conferences import CasePerson, Conference, Report
from engine.models.people import User


class ProfessionalLink(Base):
    """A single-use link to one agency report, for the professional it was asked of."""

    __tablename__ = "professional_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[CasePerson] = relationship()
    conference: Mapped[Conference] = relationship()
    report: Mapped[Report] = relationship()


class PostedLetter(Base):
    """One sent document for one person it goes to by post: queued, then marked posted."""

    __tablename__ = "posted_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_record_id: Mapped[int] = mapped_column(ForeignKey("document_records.id"))
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))
    kind: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(20))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    posted_on: Mapped[date | None] = mapped_column(Date, index=True)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[CasePerson] = relationship()
    conference: Mapped[Conference] = relationship()
    posted_by: Mapped[User | None] = relationship()


def link_by_hash(session: Session, token_hash: str) -> ProfessionalLink | None:
    query = (
        select(ProfessionalLink)
        .where(ProfessionalLink.token_hash == token_hash)
        .options(joinedload(ProfessionalLink.person), joinedload(ProfessionalLink.conference))
    )
    return session.scalars(query).first()


def links_for(session: Session, conference_id: int) -> list[ProfessionalLink]:
    query = (
        select(ProfessionalLink)
        .where(ProfessionalLink.conference_id == conference_id)
        .options(joinedload(ProfessionalLink.person))
    )
    return list(session.scalars(query.order_by(ProfessionalLink.id)))


def emailed_person_ids(session: Session, conference_id: int) -> set[int]:
    """The people of this conference sent a report link (their invitation came by email)."""
    return set(session.scalars(_EMAILED, {"conference_id": conference_id}))


_EMAILED = select(ProfessionalLink.person_id).where(
    ProfessionalLink.conference_id == bindparam("conference_id")
)


def spend(session: Session, link_id: int, now: datetime) -> bool:
    """Mark the link used unless someone used it first; True when this call spent it."""
    statement = (
        update(ProfessionalLink)
        .where(ProfessionalLink.id == link_id, ProfessionalLink.used_at.is_(None))
        .values(used_at=now)
    )
    return session.execute(statement).rowcount == 1


def letters_waiting(session: Session, child_filter=None, posted_since: date | None = None):
    """Letters not yet posted (and, with `posted_since`, those posted since that day),
    oldest first, with their people; `child_filter` keeps those the reader may see."""
    query = select(PostedLetter).options(
        joinedload(PostedLetter.person), joinedload(PostedLetter.posted_by)
    )
    if posted_since is None:
        query = query.where(PostedLetter.posted_on.is_(None))
    else:
        query = query.where(
            (PostedLetter.posted_on.is_(None)) | (PostedLetter.posted_on >= posted_since)
        )
    if child_filter is not None:
        query = query.where(child_filter)
    return list(session.scalars(query.order_by(PostedLetter.queued_at, PostedLetter.id)))


def mark_posted(session: Session, letter_id: int, posted_on: date, user_id: int) -> bool:
    """Record the letter posted unless it already was; True when this call recorded it."""
    statement = (
        update(PostedLetter)
        .where(PostedLetter.id == letter_id, PostedLetter.posted_on.is_(None))
        .values(posted_on=posted_on, posted_by_id=user_id)
    )
    return session.execute(statement).rowcount == 1
