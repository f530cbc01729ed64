"""Withheld information: a chair hides a field from named people or roles, with a reason.

Every read of a child's people or reports for a reader goes through `people_for` and
`reports_for`, which blank what is withheld from that reader, and `withheld_text.redact`
takes the withheld text out of any other text read for them. A reader is a staff account
(withheld by name or by role) or a family member, a case person who reads through a secure
link (withheld by "person:<id>"). Everything is per child: what is withheld about one child is
never looked for in another child's record. `values_hidden_from` gives the withheld text
itself, so the web layer can also scrub a response about that child as a last net.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import access, roles
from engine.access.withheld_text import MIN_SCRUB_LENGTH, redact
from engine.models import audit
from engine.models.child_conferences import people_for_child, person_ids_of_account
from engine.models.conferences import CasePerson, Conference, ConferenceRequest, Report
from engine.models.documents import ReportFile, files_for
from engine.models.instances import HumanTask, ProcessInstance
from engine.models.people import User, user_by_username
from engine.models.withholding import (
    GROUPS,
    WITHHOLDABLE,
    WithheldItem,
    any_in_force_for_child,
    in_force_for_child,
    keys_hidden_from_person,
    keys_hidden_from_user,
)
from engine.platform import whole_numbers
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed, NotFound

# Who reads: a staff account, or a family member (a case person) through a secure link.
Reader = User | CasePerson


@dataclass
class PersonView:
    """A case person as one viewer may see them: withheld fields are None and listed."""

    id: int
    kind: str
    name: str
    relationship_or_agency: str
    email: str | None
    phone: str | None
    address: str | None
    withheld: set[str] = field(default_factory=set)


@dataclass
class ReportView:
    id: int
    conference_id: int
    kind: str
    agency: str | None
    author: str | None
    submitted_on: object
    summary: str | None
    withheld: bool = False


@dataclass(frozen=True)
class RequestText:
    """A request's free text as one reader may read it: the raiser's details, the chair's
    reason and the part of the meeting missed, each of which may quote what is withheld."""

    details: str | None
    reason: str | None
    excluded_from: str | None


def request_texts(requests: list[ConferenceRequest], values: list[str]) -> dict[int, RequestText]:
    """Each request's free text by its id, with `values` (the text withheld from the reader
    in the child's record, `values_hidden_from`) taken out: never the row's own attributes
    changed, so nothing taken out is written back."""
    return {
        r.id: RequestText(
            details=redact(r.details, values),
            reason=redact(r.reason, values),
            excluded_from=redact(r.excluded_from, values),
        )
        for r in requests
    }


@dataclass(frozen=True)
class ItemText:
    """A withheld item as one reader may read it: what is withheld and the chair's reason."""

    description: str
    reason: str | None


def item_texts(session: Session, items: list[WithheldItem], values: list[str]) -> dict:
    """Each item's description and reason by its id, with `values` (the text withheld from
    the reader) taken out: a chair a passage is withheld from reads that a passage is
    withheld, and from whom, but not the passage."""
    return {
        i.id: ItemText(redact(describe_item(session, i), values), redact(i.reason, values))
        for i in items
    }


def can_withhold(session: Session, user: User, child_id: int) -> bool:
    """Conference chairs with access to the child decide what is withheld."""
    return user.has_role("conference_chair") and access.can_view_child(session, user, child_id)


def hidden_keys(session: Session, reader: Reader, child_id: int) -> set[tuple]:
    """The (record, id, field) keys of this child's record withheld from this reader. A
    person's own contact details are never withheld from them (an address withheld from
    "all family members" still heads the mother's own letter)."""
    if isinstance(reader, CasePerson):
        keys = keys_hidden_from_person(session, reader.id, child_id)
        account = session.get(User, reader.user_id) if reader.user_id else None
        keys |= keys_hidden_from_user(session, account, child_id) if account else set()
        own = {reader.id}
    else:
        keys = keys_hidden_from_user(session, reader, child_id)
        if not keys:  # nothing withheld: which people the account is need not be read
            return keys
        own = set(person_ids_of_account(session, child_id, reader.id))
    return {k for k in keys if not (k[0] == "person" and k[1] in own)}


def anything_withheld(session: Session, child_id: int) -> bool:
    """Whether anything of this child's record is withheld from anyone now. When nothing is
    (most children), no reader's hidden keys need reading: every reader's are empty."""
    return any_in_force_for_child(session, child_id)


def people_for(session: Session, viewer: Reader, child_id: int) -> list[PersonView]:
    hidden = hidden_keys(session, viewer, child_id)
    return [_person_view(p, hidden) for p in people_for_child(session, child_id)]


def _person_view(person: CasePerson, hidden: set[tuple]) -> PersonView:
    withheld = {f for (r, i, f) in hidden if r == "person" and i == person.id}
    return PersonView(
        id=person.id,
        kind=person.kind,
        name=person.name,
        relationship_or_agency=person.relationship_or_agency,
        email=None if "email" in withheld else person.email,
        phone=None if "phone" in withheld else person.phone,
        address=None if "address" in withheld else person.address,
        withheld=withheld,
    )


def reports_for(session: Session, viewer: Reader, child_id: int) -> list[ReportView]:
    """The child's reports as this reader may read them: a withheld report has no text, and
    the others have the text withheld from them (an address they quote) taken out."""
    hidden = hidden_keys(session, viewer, child_id)
    values = _values(session, hidden)
    query = (
        select(Report)
        .join(Conference, Conference.id == Report.conference_id)
        .where(Conference.child_id == child_id)
        .order_by(Report.id)
    )
    return [_report_view(r, hidden, values) for r in session.scalars(query)]


def _report_view(report: Report, hidden: set[tuple], values: list[str]) -> ReportView:
    withheld = ("report", report.id, "summary") in hidden
    return ReportView(
        id=report.id,
        conference_id=report.conference_id,
        kind=report.kind,
        agency=report.agency,
        author=report.author,
        submitted_on=report.submitted_on,
        summary=None if withheld else redact(report.summary, values),
        withheld=withheld,
    )


def files_for_reader(
    session: Session, reader: Reader, child_id: int, report_ids: list[int]
) -> dict[int, list[ReportFile]]:
    """The files of these reports this reader may have: an uploaded file withheld from them
    is not listed (its report may still be)."""
    hidden = hidden_keys(session, reader, child_id)
    return {
        report_id: [f for f in found if ("report_file", f.id, "file") not in hidden]
        for report_id, found in files_for(session, report_ids).items()
    }


def require_file(session: Session, reader: Reader, file_id: int) -> ReportFile:
    """One uploaded file for this reader: NotFound when its report or the file itself is
    withheld from them, as for a file that does not exist."""
    found = session.get(ReportFile, file_id)
    child_id = child_of(session, "report_file", file_id)
    hidden = hidden_keys(session, reader, child_id) if found is not None else set()
    if (
        found is None
        or ("report", found.report_id, "summary") in hidden
        or ("report_file", found.id, "file") in hidden
    ):
        raise NotFound("There is no such file.")
    return found


def file_name_for(session: Session, reader: Reader, found: ReportFile) -> str:
    """An uploaded file's name as this reader may read it (a name may quote an address):
    the file itself is never edited, but its name is shown and sent as a download's name."""
    child_id = child_of(session, "report_file", found.id)
    if child_id is None:
        return found.filename
    return redact(found.filename, values_hidden_from(session, reader, child_id))


def values_hidden_from(session: Session, viewer: Reader, child_id: int | None) -> list[str]:
    """The text withheld from this reader in one child's record, longest first; none for a
    workflow about no child (nothing of any child's is in it to take out)."""
    if child_id is None:
        return []
    return _values(session, hidden_keys(session, viewer, child_id))


def values_hidden_in_children_seen(session: Session, viewer: User) -> list[str]:
    """The text withheld from this account in the records of every child it may see: for
    a response about no single child (its inbox), which shows nothing of any other child."""
    seen = access.child_filter(viewer, WithheldItem.child_id)
    return _values(session, keys_hidden_from_user(session, viewer, None, children=seen))


def values_of(session: Session, keys: set[tuple]) -> list[str]:
    """The withheld text these keys name, longest first (for a document's data)."""
    return _values(session, keys)


def _values(session: Session, keys: set[tuple]) -> list[str]:
    values: set[str] = set()
    for key in keys:
        value = _value_of(session, *key) or ""
        # The whole text, and each line of it, as a page may show an address line by line.
        for part in {value.strip(), *(line.strip() for line in value.splitlines())}:
            if len(part) >= MIN_SCRUB_LENGTH:
                values.add(part)
    return sorted(values, key=len, reverse=True)


def child_of(session: Session, record: str, record_id) -> int | None:
    """The child whose record this is ("child", "conference", "instance", "task", "report",
    "report_file"), or None for no such record: the child a response is about."""
    if record == "report_file":
        found = session.get(ReportFile, record_id)
        record, record_id = "report", found.report_id if found else None
    if record == "report":
        found = session.get(Report, record_id) if record_id is not None else None
        record, record_id = "conference", found.conference_id if found else None
    if record_id is None:
        return None
    if record == "child":
        return record_id
    model = {"conference": Conference, "instance": ProcessInstance, "task": HumanTask}[record]
    found = session.get(model, record_id)
    return found.child_id if found else None


def _value_of(session: Session, record: str, record_id: int, field: str) -> str | None:
    """The withheld text of a key: a contact field, a report's text, a request's passage
    (an uploaded file has no text to look for; it is left out whole)."""
    model = {"person": CasePerson, "report": Report, "request": ConferenceRequest}.get(record)
    row = session.get(model, record_id) if model else None
    return getattr(row, field, None) if row is not None else None


def withhold(
    session: Session,
    chair: User,
    child_id: int,
    record: str,
    record_id: int,
    field_name: str,
    audience: str,
    reason: str,
    now: datetime,
) -> WithheldItem:
    """Withhold one field from an audience: "user:<username>", "role:<key>", "person:<id>"
    or "group:family" / "group:non_professionals" (whoever is in it when data is read)."""
    with transaction(session):
        return add_withheld(
            session, chair, child_id, record, record_id, field_name, audience, reason, now
        )


def add_withheld(
    session: Session,
    chair: User,
    child_id: int,
    record: str,
    record_id: int,
    field_name: str,
    audience: str,
    reason: str,
    now: datetime,
) -> WithheldItem:
    """`withhold`'s rules and audit, in the caller's transaction (a diagram step's)."""
    if not can_withhold(session, chair, child_id):
        raise NotAllowed("Only the conference chair can withhold information.")
    if (record, field_name) not in WITHHOLDABLE:
        raise EngineError("That information cannot be withheld.")
    _require_record(session, child_id, record, record_id)
    if not reason.strip():
        raise EngineError("Give the reason for withholding this information.")
    item = WithheldItem(
        child_id=child_id,
        record=record,
        record_id=record_id,
        field=field_name,
        reason=reason.strip(),
        by_id=chair.id,
        at=now,
        **_audience(session, child_id, audience),
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        chair,
        "information.withheld",
        now,
        child_id=child_id,
        item=item.id,
        what=f"{record}:{record_id}:{field_name}",
        audience=audience,
    )
    return item


def lift(session: Session, chair: User, item_id: int, now: datetime) -> WithheldItem:
    item = session.get(WithheldItem, item_id)
    if item is None or item.lifted_at is not None:
        raise NotFound("That information is not withheld.")
    if not can_withhold(session, chair, item.child_id):
        raise NotAllowed("Only the conference chair can stop withholding information.")
    with transaction(session):
        item.lifted_at, item.lifted_by_id = now, chair.id
        audit.record(
            session, chair, "information.released", now, child_id=item.child_id, item=item.id
        )
    return item


def in_force(session: Session, child_id: int) -> list[WithheldItem]:
    return in_force_for_child(session, child_id)


def describe_audience(session: Session, item: WithheldItem) -> str:
    if item.from_user is not None:
        return item.from_user.display_name
    if item.from_role:
        return roles.label(item.from_role)
    if item.from_group:
        return GROUPS.get(item.from_group, item.from_group).capitalize()
    person = session.get(CasePerson, item.from_person_id)
    return person.name if person else "Unknown"


def _require_record(session: Session, child_id: int, record: str, record_id: int) -> None:
    if record == "person":
        found = session.get(CasePerson, record_id)
        ok = found is not None and found.child_id == child_id
    elif record == "request":
        found = session.get(ConferenceRequest, record_id)
        ok = found is not None and bool(found.passage) and found.conference.child_id == child_id
    elif record == "report_file":
        ok = child_of(session, "report_file", record_id) == child_id
    else:
        found = session.get(Report, record_id)
        conference = session.get(Conference, found.conference_id) if found else None
        ok = conference is not None and conference.child_id == child_id
    if not ok:
        raise NotFound("There is no such record for this child.")


def _audience(session: Session, child_id: int, audience: str) -> dict:
    kind, _, value = audience.partition(":")
    if kind == "user":
        user = user_by_username(session, value)
        if user is None:
            raise EngineError("Choose who the information is withheld from.")
        return {"from_user_id": user.id}
    if kind == "role" and value in roles.ROLES:
        return {"from_role": value}
    if kind == "group" and value in GROUPS:
        return {"from_group": value}
    person_id = whole_numbers.parse(value) if kind == "person" else None
    if person_id is not None:
        person = session.get(CasePerson, person_id)
        if person is not None and person.child_id == child_id:
            return {"from_person_id": person.id}
    raise EngineError("Choose who the information is withheld from.")


def describe_item(session: Session, item: WithheldItem) -> str:
    """What is withheld: "Grace Okoye's address", "The report by Robin Hall", "A passage: …"
    (quoted: `item_texts` takes it out for a reader it is withheld from)."""
    label = WITHHOLDABLE.get((item.record, item.field), item.field)
    if item.record == "person":
        person = session.get(CasePerson, item.record_id)
        return f"{person.name}'s {label}" if person else label.capitalize()
    if item.record == "report":
        report = session.get(Report, item.record_id)
        author = report.author or report.agency if report else None
        return f"The report by {author}" if author else "A report"
    if item.record == "report_file":
        found = session.get(ReportFile, item.record_id)
        return f"The uploaded file {found.filename}" if found else "An uploaded file"
    request = session.get(ConferenceRequest, item.record_id)
    return f"A passage: “{request.passage}”" if request and request.passage else "A passage"
