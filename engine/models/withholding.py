"""Information a chair has withheld from named people or roles, with the reason.

One row hides one field of one record (a person's address, a report) from one audience: a
staff account, a role, or a family member (a case person, who may reach the record through a
secure link). Lifting keeps the row, so the history stays.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    or_,
    select,
)
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
# Whom information can be withheld from in one step, as the chair names them. Who is in a
# group is worked out whenever data is read, never when the item is made: a family member
# added to the case afterwards is covered too.
FAMILY, NON_PROFESSIONALS = "family", "non_professionals"
GROUPS = {
    FAMILY: "all family members",
    NON_PROFESSIONALS: "all non-professionals",
}
GROUP_HINTS = {
    FAMILY: "the parents and carers, the child, and anyone else in the family on the record "
    "(everyone a family link is sent to)",
    NON_PROFESSIONALS: "every family member, and the child's advocate or supporter",
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
    from_group: Mapped[str | None] = mapped_column(String(40))  # one of GROUPS
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


def any_in_force_for_child(session: Session, child_id: int) -> bool:
    return session.scalar(_ANY_IN_FORCE, {"child_id": child_id}) is not None


_ANY_IN_FORCE = (
    select(WithheldItem.id)
    .where(WithheldItem.child_id == bindparam("child_id"), WithheldItem.lifted_at.is_(None))
    .limit(1)
)


def in_group(group: str) -> ColumnElement[bool]:
    """Whether a case person (a row of `CasePerson` in the query) belongs to a group."""
    if group == FAMILY:
        return CasePerson.kind == "family"
    return or_(CasePerson.kind == "family", CasePerson.relationship_or_agency == "advocate")


def _covers(people: ColumnElement[bool]) -> ColumnElement[bool]:
    """An item withheld from a group one of `people` (a condition on case people of the
    item's child) belongs to, read now: group membership is never stored."""
    return or_(
        *(
            and_(
                WithheldItem.from_group == group,
                select(CasePerson.id)
                .where(people, CasePerson.child_id == WithheldItem.child_id, in_group(group))
                .correlate_except(CasePerson)  # the item, and a share it is asked about
                .exists(),
            )
            for group in GROUPS
        )
    )


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
        _covers(CasePerson.user_id == bindparam("user_id")),
    ),
)
_HIDDEN_FROM_USER_IN_CHILD = _HIDDEN_FROM_USER.where(WithheldItem.child_id == bindparam("child_id"))
_HIDDEN_FROM_PERSON = select(WithheldItem.record, WithheldItem.record_id, WithheldItem.field).where(
    WithheldItem.child_id == bindparam("child_id"),
    WithheldItem.lifted_at.is_(None),
    or_(
        WithheldItem.from_person_id == bindparam("person_id"),
        _covers(CasePerson.id == bindparam("person_id")),
    ),
)


def _report_withheld_from(person_id) -> ColumnElement[bool]:
    return (
        select(WithheldItem.id)
        .where(
            WithheldItem.record == "report",
            WithheldItem.record_id == ReportShare.report_id,
            WithheldItem.field == "summary",
            WithheldItem.lifted_at.is_(None),
            or_(WithheldItem.from_person_id == person_id, _covers(CasePerson.id == person_id)),
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
    key = ("report", report.id, "summary")
    asked = [  # a request to withhold it from them, not refused (decided later)
        r
        for r in session.scalars(
            select(ConferenceRequest).where(
                ConferenceRequest.report_id == report.id,
                ConferenceRequest.kind == "withhold",
                or_(ConferenceRequest.decision.is_(None), ConferenceRequest.decision != "refused"),
            )
        )
    ]
    asked_of = {p.id for r in asked for p in r.withheld_from_people}
    asked_groups = {r.withheld_from_group for r in asked if r.withheld_from_group}

    candidates = [p for p in dict.fromkeys(session.scalars(parents)) if p not in already]
    people: dict[int, CasePerson] = {}
    if candidates:  # read together, not one by one
        query = select(CasePerson).where(CasePerson.id.in_(candidates))
        people = {p.id: p for p in session.scalars(query)}
    # Whether anything of each child's record is withheld: read once, not per parent.
    withheld_any = {
        c: any_in_force_for_child(session, c) for c in {p.child_id for p in people.values()}
    }

    def kept_from(person_id: int) -> bool:
        person = people[person_id]
        hidden = withheld_any[person.child_id] and key in keys_hidden_from_person(
            session, person_id, person.child_id
        )
        # Both groups hold every family member, so a parent is in any group asked for.
        return hidden or person_id in asked_of or bool(asked_groups and person.kind == "family")

    given = [p for p in candidates if not kept_from(p)]
    session.add_all(ReportShare(report_id=report.id, person_id=p, shared_on=on) for p in given)
    session.flush()
    return given


# Built once: the statement (its correlated subqueries) cost more to build than to run.
_SHARES_KEPT = (
    select(ReportShare)
    .where(
        ReportShare.report_id.in_(bindparam("report_ids", expanding=True)),
        ~_report_withheld_from(ReportShare.person_id),
    )
    .order_by(ReportShare.shared_on, ReportShare.id)
)


def shares_for(session: Session, report_ids: list[int]) -> dict[int, list[ReportShare]]:
    """Who each report was given to and when, leaving out any parent it is now withheld from
    (a report withheld from a parent is never shown as shared with them)."""
    found: dict[int, list[ReportShare]] = {i: [] for i in report_ids}
    if report_ids:
        for share in session.scalars(_SHARES_KEPT, {"report_ids": list(report_ids)}):
            found[share.report_id].append(share)
    return found


def group_named(text: str) -> str | None:
    """The group a chair or raiser means by these words ("all family members", "the
    non-professionals"), or None when they name people instead."""
    words = " ".join(text.replace("-", " ").split()).casefold()
    for prefix in ("all the ", "all ", "every ", "the "):
        words = words.removeprefix(prefix)
    found = {
        "family": FAMILY,
        "family members": FAMILY,
        "family member": FAMILY,
        "the family": FAMILY,
        "non professionals": NON_PROFESSIONALS,
        "non professional": NON_PROFESSIONALS,
    }
    return found.get(words)


def audience_label(request: ConferenceRequest) -> str:
    """Whom a request keeps the information from, as people read it: "all family members",
    or "Tom Okoye and Ann Okoye" (empty when it names no one)."""
    names = [p.name for p in request.withheld_from_people]
    if request.withheld_from_group:
        names.insert(0, GROUPS.get(request.withheld_from_group, request.withheld_from_group))
    return joined(names)


def joined(names: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(names[:-1]), *names[-1:]]))


def request_named(request: ConferenceRequest) -> str:
    """A request as staff read it, by what it does and from whom ("Withhold Ann Okoye's
    address from all family members"), never by the raiser's free text, which may quote
    what is withheld."""
    if request.kind == "exclude":
        return f"Exclude {request.person.name}" if request.person else "Exclude a family member"
    report = request.report
    field_label = WITHHOLDABLE.get(("person", request.field or ""))
    if request.field == "report" and report is not None:
        what = f"the report by {report.author or report.agency or 'the social worker'}"
    elif request.field == "file" and request.report_file_id:
        what = "an uploaded report file"
    elif request.field == "passage" and request.passage:
        what = "a passage of text"
    elif request.person is not None and field_label:
        what = f"{request.person.name}'s {field_label}"
    else:
        return "Withhold information"
    audience = audience_label(request)
    return f"Withhold {what}" + (f" from {audience}" if audience else "")
