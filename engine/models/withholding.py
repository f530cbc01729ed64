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
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engine.models.base import Base, UTCDateTime, columns, utcnow
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
ADVOCATE = "advocate"  # the relationship that makes an invited professional a non-professional
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
    return or_(CasePerson.kind == "family", CasePerson.relationship_or_agency == ADVOCATE)


def is_non_professional(person: CasePerson) -> bool:
    """`in_group(NON_PROFESSIONALS)` for a person already read: family, or the advocate."""
    return person.kind == "family" or person.relationship_or_agency == ADVOCATE


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
    given a column), for a response about no single child.

    Read as plain columns (`columns`): the ORM's execution path was a third of the cost of a
    read every response makes."""
    values = {"user_id": user.id, "roles": sorted(user.roles)}
    if child_id is not None:  # every response about one child: the statement built once
        rows = columns(session, _HIDDEN_FROM_USER_IN_CHILD, {**values, "child_id": child_id})
    else:
        query = _HIDDEN_FROM_USER if children is None else _HIDDEN_FROM_USER.where(children)
        rows = columns(session, query, values)
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
    return share_all_with_parents(session, [(report, on)])[report.id]


def share_all_with_parents(
    session: Session, shares: list[tuple[Report, date]]
) -> dict[int, list[int]]:
    """`share_with_parents` for several reports, each on its own date: what every one of them
    needs read together (a step sharing a conference's reports reads its parents once, not
    once per report); the parents each report went to, by report id."""
    ids = [report.id for report, _on in shares]
    if not ids:
        return {}
    already: dict[int, set[int]] = {i: set() for i in ids}
    for report_id, person_id in session.execute(_SHARED, {"ids": ids}):
        already[report_id].add(person_id)
    asked_of: dict[int, set[int]] = {i: set() for i in ids}
    asked_groups: dict[int, set[str]] = {i: set() for i in ids}
    for r in session.scalars(_ASKED, {"ids": ids}):
        asked_of[r.report_id] |= {p.id for p in r.withheld_from_people}
        if r.withheld_from_group:
            asked_groups[r.report_id].add(r.withheld_from_group)
    # Each conference's parents and their records, in the order they were invited.
    conferences = sorted({report.conference_id for report, _on in shares})
    parents_of: dict[int, dict[int, CasePerson]] = {}
    for conference_id, person in session.execute(_PARENTS, {"conferences": conferences}):
        parents_of.setdefault(conference_id, {}).setdefault(person.id, person)
    candidates = {
        report.id: [
            p for p in parents_of.get(report.conference_id, {}) if p not in already[report.id]
        ]
        for report, _on in shares
    }
    people = {p.id: p for found in parents_of.values() for p in found.values()}
    # Whether anything of each child's record is withheld: read once, not per parent.
    children = {people[p].child_id for found in candidates.values() for p in found}
    withheld_any = {c: any_in_force_for_child(session, c) for c in children}
    hidden: dict[int, set[tuple]] = {}  # each parent's, read once for all the reports

    def kept_from(report_id: int, person_id: int) -> bool:
        person = people[person_id]
        if withheld_any[person.child_id] and person_id not in hidden:
            hidden[person_id] = keys_hidden_from_person(session, person_id, person.child_id)
        withheld = ("report", report_id, "summary") in hidden.get(person_id, ())
        # Both groups hold every family member, so a parent is in any group asked for.
        family = bool(asked_groups[report_id] and person.kind == "family")
        return withheld or person_id in asked_of[report_id] or family

    given = {
        report.id: [p for p in candidates[report.id] if not kept_from(report.id, p)]
        for report, _on in shares
    }
    rows = [
        {"report_id": report.id, "person_id": p, "shared_on": on}
        for report, on in shares
        for p in given[report.id]
    ]
    session.flush()  # whatever the session holds first, as before (the reports may be in it)
    if rows:  # one plain INSERT: nothing reads these rows back as objects
        session.execute(_INSERT_SHARES, rows)
    return given


_INSERT_SHARES = insert(ReportShare.__table__)


# Built once (every report step shares its reports): building cost more than running.
_SHARED = select(ReportShare.report_id, ReportShare.person_id).where(
    ReportShare.report_id.in_(bindparam("ids", expanding=True))
)
_ASKED = select(ConferenceRequest).where(  # a request to withhold it, not refused
    ConferenceRequest.report_id.in_(bindparam("ids", expanding=True)),
    ConferenceRequest.kind == "withhold",
    or_(ConferenceRequest.decision.is_(None), ConferenceRequest.decision != "refused"),
)
_PARENTS = (
    select(Invitation.conference_id, CasePerson)
    .join(CasePerson, CasePerson.id == Invitation.person_id)
    .where(
        Invitation.conference_id.in_(bindparam("conferences", expanding=True)),
        Invitation.role == "parent",
    )
    .order_by(Invitation.id)
)


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
