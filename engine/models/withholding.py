"""Information a chair has withheld from named people or roles, with the reason.

One row hides one field of one record (a person's address, a report) from one audience: a
staff account, a role, or a family member (a case person, who may reach the record through a
secure link). Lifting keeps the row, so the history stays.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, Text, bindparam, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.conferences import (
    CasePerson,
    ConferenceRequest,
    Invitation,
    Report,
    ReportShare,
)
from engine.models.people import User

# What can be withheld: (record kind, field) → how it is named to the chair.
WITHHOLDABLE = {
    ("person", "address"): "address",
    ("person", "phone"): "phone number",
    ("person", "email"): "email address",
    ("report", "summary"): "report",
    ("report_file", "file"): "uploaded file",
    ("request", "passage"): "passage of text",  # the agreed request's passage, anywhere
}


class WithheldItem(Base):
    __tablename__ = "withheld_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    record: Mapped[str] = mapped_column(String(20))  # person | report | report_file | request
    record_id: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_role: Mapped[str | None] = mapped_column(String(40))
    from_person_id: Mapped[int | None] = mapped_column(ForeignKey("case_people.id"))
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    by: Mapped[User] = relationship(foreign_keys=[by_id])
    from_user: Mapped[User | None] = relationship(foreign_keys=[from_user_id])

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.record, self.record_id, self.field)


def in_force_for_child(session: Session, child_id: int) -> list[WithheldItem]:
    query = select(WithheldItem).where(
        WithheldItem.child_id == child_id, WithheldItem.lifted_at.is_(None)
    )
    return list(session.scalars(query.order_by(WithheldItem.at)))


def keys_hidden_from_user(
    session: Session,
    user: User,
    child_id: int | None,
    children: ColumnElement[bool] | None = None,
) -> set[tuple]:
    """The (record, id, field) keys hidden from this account, by name, by one of its roles or
    as the case person it is:
    of one child, or (`None`) of the children `children` keeps (a condition on a child id,
    given a column), for a response about no single child."""
    values = {"user_id": user.id, "roles": sorted(user.roles)}
    if child_id is not None:  # every response about one child: the statement built once
        rows = session.execute(_HIDDEN_FROM_USER_IN_CHILD, {**values, "child_id": child_id})
    else:
        query = _HIDDEN_FROM_USER if children is None else _HIDDEN_FROM_USER.where(children)
        rows = session.execute(query, values)
    return {tuple(row) for row in rows}


def keys_hidden_from_person(session: Session, person_id: int, child_id: int) -> set[tuple]:
    """The keys hidden from a family member (who sees the record only through secure links)."""
    values = {"person_id": person_id, "child_id": child_id}
    return {tuple(row) for row in session.execute(_HIDDEN_FROM_PERSON, values)}


# Built once (every response about a child and every document copy reads them): SQLAlchemy
# keeps a statement's cache key on the statement, so a request need not build it afresh.
_HIDDEN_FROM_USER = select(WithheldItem.record, WithheldItem.record_id, WithheldItem.field).where(
    WithheldItem.lifted_at.is_(None),
    or_(
        WithheldItem.from_user_id == bindparam("user_id"),
        WithheldItem.from_role.in_(bindparam("roles", expanding=True)),
        # Withheld from the case person this account is (an invited professional).
        WithheldItem.from_person_id.in_(
            select(CasePerson.id).where(CasePerson.user_id == bindparam("user_id"))
        ),
    ),
)
_HIDDEN_FROM_USER_IN_CHILD = _HIDDEN_FROM_USER.where(WithheldItem.child_id == bindparam("child_id"))
_HIDDEN_FROM_PERSON = select(WithheldItem.record, WithheldItem.record_id, WithheldItem.field).where(
    WithheldItem.child_id == bindparam("child_id"),
    WithheldItem.lifted_at.is_(None),
    WithheldItem.from_person_id == bindparam("person_id"),
)


def _report_withheld_from(person_id) -> ColumnElement[bool]:
    return (
        select(WithheldItem.id)
        .where(
            WithheldItem.record == "report",
            WithheldItem.record_id == ReportShare.report_id,
            WithheldItem.field == "summary",
            WithheldItem.lifted_at.is_(None),
            WithheldItem.from_person_id == person_id,
        )
        .exists()
    )


def share_with_parents(session: Session, report: Report, on: date) -> list[int]:
    """Record the report as given on `on` to each parent invited to its conference from whom
    it is not withheld, nor asked to be (and not given them already); the ids of the parents
    it went to."""
    parents = select(Invitation.person_id).where(
        Invitation.conference_id == report.conference_id, Invitation.role == "parent"
    )
    already = set(
        session.scalars(select(ReportShare.person_id).where(ReportShare.report_id == report.id))
    )
    withheld = set(
        session.scalars(
            select(WithheldItem.from_person_id).where(
                WithheldItem.record == "report",
                WithheldItem.record_id == report.id,
                WithheldItem.field == "summary",
                WithheldItem.lifted_at.is_(None),
                WithheldItem.from_person_id.is_not(None),
            )
        )
    )
    asked = set(  # a request to withhold it from them, not refused (decided later)
        session.scalars(
            select(ConferenceRequest.withheld_from_id).where(
                ConferenceRequest.report_id == report.id,
                ConferenceRequest.kind == "withhold",
                or_(ConferenceRequest.decision.is_(None), ConferenceRequest.decision != "refused"),
            )
        )
    )
    kept = already | withheld | asked
    given = [p for p in dict.fromkeys(session.scalars(parents)) if p not in kept]
    session.add_all(ReportShare(report_id=report.id, person_id=p, shared_on=on) for p in given)
    session.flush()
    return given


def shares_for(session: Session, report_ids: list[int]) -> dict[int, list[ReportShare]]:
    """Who each report was given to and when, leaving out any parent it is now withheld from
    (a report withheld from a parent is never shown as shared with them)."""
    found: dict[int, list[ReportShare]] = {i: [] for i in report_ids}
    if report_ids:
        query = (
            select(ReportShare)
            .where(
                ReportShare.report_id.in_(report_ids),
                ~_report_withheld_from(ReportShare.person_id),
            )
            .order_by(ReportShare.shared_on, ReportShare.id)
        )
        for share in session.scalars(query):
            found[share.report_id].append(share)
    return found
