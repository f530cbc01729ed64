"""Documents generated from a case, files uploaded as reports, secure family links, feedback.

A document is never stored as the only copy of a fact: it is rendered from the case's rows.
What is kept is the record that it was generated (when, by whom) and sent (to whom), with a
fingerprint, so "what did the family receive, and when" has an answer; a sent document also
keeps the data it was sent with, frozen, so its copies are rendered later from exactly that.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    bindparam,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, deferred, joinedload, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.conferences import CasePerson, Conference, Report
from engine.models.people import User

DOWNLOADED, SENT, COVERED = "downloaded", "sent", "covered"


class DocumentRecord(Base):
    """One generation of a document: downloaded by a person, or sent by a diagram step."""

    __tablename__ = "document_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    file_format: Mapped[str | None] = mapped_column(String(4))
    purpose: Mapped[str] = mapped_column(String(12))  # downloaded | sent | covered
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_by_name: Mapped[str] = mapped_column(String(200))
    sent_on: Mapped[date | None] = mapped_column(Date)
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    sha256: Mapped[str] = mapped_column(String(64))
    # What a step sent, frozen (`engine.documents.frozen`); rendered on download, not sent.
    data: Mapped[dict | None] = deferred(mapped_column(JSON))
    # A family conference's document: the group it covers, sent once for all its children;
    # a sibling's step that found its child covered records the family document it was in.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("conference_groups.id"), index=True)
    covered_by_id: Mapped[int | None] = mapped_column(ForeignKey("document_records.id"))


class ReportFile(Base):
    """A report uploaded as a file (PDF or Word) instead of, or as well as, typed in."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[Report] = relationship()


class FamilyLink(Base):
    """A single-use link for a parent or child: only the token's hash is kept."""

    __tablename__ = "family_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("case_people.id"))
    purpose: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[CasePerson] = relationship()
    conference: Mapped[Conference] = relationship()
    created_by: Mapped[User | None] = relationship()


class FeedbackResponse(Base):
    """Answers to a feedback form after a conference (parent or carer, child, professional)."""

    __tablename__ = "feedback_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conference_id: Mapped[int] = mapped_column(ForeignKey("conferences.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(20))  # parent | child | professional
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("family_links.id"))


def records_for(session: Session, conference_id: int) -> list[DocumentRecord]:
    query = select(DocumentRecord).where(DocumentRecord.conference_id == conference_id)
    return list(session.scalars(query.order_by(DocumentRecord.generated_at, DocumentRecord.id)))


def family_records_for(session: Session, group_id: int | None, kind: str | None = None):
    """The documents sent for a family conference group (any child's step), oldest first."""
    if group_id is None:
        return []
    query = select(DocumentRecord).where(
        DocumentRecord.group_id == group_id, DocumentRecord.purpose == SENT
    )
    if kind is not None:
        query = query.where(DocumentRecord.kind == kind)
    return list(session.scalars(query.order_by(DocumentRecord.id)))


_FILES = (  # built once, not per document
    select(ReportFile)
    .where(ReportFile.report_id.in_(bindparam("report_ids", expanding=True)))
    .order_by(ReportFile.id)
)


def files_for(session: Session, report_ids: list[int]) -> dict[int, list[ReportFile]]:
    found: dict[int, list[ReportFile]] = {i: [] for i in report_ids}
    if report_ids:
        for row in session.scalars(_FILES, {"report_ids": list(report_ids)}):
            found[row.report_id].append(row)
    return found


def link_by_hash(session: Session, token_hash: str) -> FamilyLink | None:
    query = (
        select(FamilyLink)
        .where(FamilyLink.token_hash == token_hash)
        .options(joinedload(FamilyLink.person), joinedload(FamilyLink.conference))
    )
    return session.scalars(query).first()


def links_for(session: Session, conference_id: int) -> list[FamilyLink]:
    query = (
        select(FamilyLink)
        .where(FamilyLink.conference_id == conference_id)
        .options(joinedload(FamilyLink.person), joinedload(FamilyLink.created_by))
    )
    return list(session.scalars(query.order_by(FamilyLink.created_at, FamilyLink.id)))


def feedback_since(session: Session, since: datetime | None, child_filter=None):
    """Responses (with their conference) from `since`, newest first, for the summary page."""
    query = select(FeedbackResponse, Conference).join(
        Conference, Conference.id == FeedbackResponse.conference_id
    )
    if since is not None:
        query = query.where(FeedbackResponse.submitted_at >= since)
    if child_filter is not None:
        query = query.where(child_filter)
    return list(session.execute(query.order_by(FeedbackResponse.submitted_at.desc())))


def feedback_given(session: Session, conference_id: int, respondent: str, user_id: int) -> bool:
    query = select(FeedbackResponse.id).where(
        FeedbackResponse.conference_id == conference_id,
        FeedbackResponse.respondent == respondent,
        FeedbackResponse.user_id == user_id,
    )
    return session.scalar(query.limit(1)) is not None


def spend(session: Session, link_id: int, now: datetime) -> bool:
    """Mark the link used unless someone used it first; True when this call spent it."""
    statement = (
        update(FamilyLink)
        .where(FamilyLink.id == link_id, FamilyLink.used_at.is_(None))
        .values(used_at=now)
    )
    return session.execute(statement).rowcount == 1
