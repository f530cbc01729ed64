"""Conference documents: produced for a person who downloads one, or sent by a diagram step.

Either way a `DocumentRecord` says when it was generated, by whom and (when sent) to whom.
Sending is a step in the diagrams ("Send the decision letter and outline plan", "Send the
minutes"), so its timescale is a timer there, reminded and escalated like any other step; the
step's script calls `send_document`, which records the recipients and the document's data,
frozen (`frozen`: rendered when a copy is downloaded or printed, never in the step), tells the
professionals with accounts that it is ready, by a link (never the content) in the email,
and puts each copy to be posted in business support's print queue (`print_queue`). A family
conference's agenda, letters and minutes are sent once for all its children (`_send_family`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.documents import (
    conference_reads,
    dispatch,
    document_data,
    document_redaction,
    document_render,
    family_documents,
    frozen,
)
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import CasePerson, Conference, invitations_for, reports_for
from engine.models.documents import (
    COVERED,
    DOWNLOADED,
    SENT,
    DocumentRecord,
    family_records_for,
)
from engine.models.people import Child, User
from engine.models.professional_links import emailed_person_ids
from engine.models.withholding import share_all_with_parents
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.platform.errors import NotFound
from engine.workflow import step_context

FORMATS = (document_render.PDF, document_render.DOCX)


@dataclass(frozen=True)
class Produced:
    filename: str
    content: bytes
    mimetype: str


def filename(data: dict, file_format: str) -> str:
    """A name that says what it is without the child's name: reference, document, date."""
    kind = data["kind"].replace("_", "-")
    return f"{data['child']['reference']}-{kind}-{data['generated_on']:%Y-%m-%d}.{file_format}"


def produce(
    session: Session, user: User, conference: Conference, kind: str, file_format: str, now
) -> Produced:
    """Render one document for the person asking, and record that they generated it."""
    if file_format not in FORMATS:
        raise NotFound("Documents come as PDF or Word (docx).")
    data = document_data.gather(session, conference.id, kind, day_in_england(now))
    data = document_redaction.for_reader(session, user, conference.child_id, data)
    return _recorded(session, user, conference, data, file_format, now)


def produce_copy(
    session: Session,
    user: User,
    conference: Conference,
    kind: str,
    file_format: str,
    person_id: int,
    now,
) -> Produced:
    """The copy of a document to post to one person invited, as they may read it (what is
    withheld from them is not in it), rendered for the member of staff who posts it (nor
    what is withheld from them: `document_redaction.for_posting`)."""
    if file_format not in FORMATS:
        raise NotFound("Documents come as PDF or Word (docx).")
    invitations = invitations_for(session, conference.id)
    person = next((i.person for i in invitations if i.person_id == person_id), None)
    if person is None:
        raise NotFound("That person is not invited to this conference.")
    data = document_data.compose(session, conference, invitations, kind, day_in_england(now))
    data = document_redaction.for_posting(session, person, conference.child_id, data, user)
    return _recorded(session, user, conference, data, file_format, now, copy_for=person.name)


def produce_sent(
    session: Session, user: User, conference: Conference, record_id: int, file_format: str, now
) -> Produced:
    """A family conference's document as its step sent it, rendered from its frozen data for
    the person asking: the parts of the children they may read about, less what is withheld
    from them in any of those children's records (`document_redaction.for_family_reader`)."""
    record = session.get(DocumentRecord, record_id) if file_format in FORMATS else None
    group = conference.group_id
    if record is None or record.purpose != SENT or record.group_id is None or not record.data:
        raise NotFound("There is no such family document.")
    if record.group_id != group:
        raise NotFound("There is no such family document.")
    data = document_redaction.for_reader(
        session, user, conference.child_id, frozen.thaw(record.data)
    )
    if not data["children"]:
        raise NotFound("There is no such family document.")
    return _recorded(session, user, conference, data, file_format, now)


def _recorded(
    session: Session,
    user: User,
    conference: Conference,
    data: dict,
    file_format: str,
    now,
    copy_for: str | None = None,
) -> Produced:
    kind = data["kind"]
    content = document_render.render(data, file_format)
    with transaction(session):
        session.add(
            DocumentRecord(
                conference_id=conference.id,
                kind=kind,
                file_format=file_format,
                purpose=DOWNLOADED,
                generated_at=now,
                generated_by_id=user.id,
                generated_by_name=user.display_name,
                sha256=document_render.fingerprint(content),
                recipients=[{"name": copy_for, "role": "copy", "by": "post"}] if copy_for else [],
            )
        )
        audit.record(
            session,
            user,
            "document.generated",
            now,
            instance_id=conference.instance_id,
            conference_id=conference.id,
            kind=kind,
            file_format=file_format,
        )
    name = filename(data, file_format)
    return Produced(name, content, document_render.MIMETYPES[file_format])


def recipients(invitations: list, emailed: set[int] = frozenset()) -> list[dict]:
    """Everyone invited, and how the document reaches them: a link for staff with accounts,
    email for professionals sent a report link (`emailed`: their invitation came with it),
    the post for the family and for professionals with neither."""
    found = []
    for invitation in invitations:
        person = invitation.person
        if person.user_id:
            by = "secure link"
        elif person.id in emailed:
            by = "email"
        else:
            by = "post"
        found.append(
            {
                "name": person.name,
                "role": invitation.role,
                "user_id": person.user_id,
                "person_id": person.id,
                "by": by,
            }
        )
    return found


# ---- functions the diagrams call ------------------------------------------------------------


def send_document(conference_id, kind, sent_date) -> int:
    """Record that the step sent this document, to whom, and tell the staff it is ready.

    Nothing is rendered here: the record keeps the document's data, frozen, and each copy
    is rendered from it when downloaded or printed (`frozen`)."""
    ctx = step_context.current()
    conference = fetch(ctx.session, Conference, conference_id, "There is no such conference.")
    if family_documents.is_family(conference, kind):
        return _send_family(ctx, conference, str(kind), workdays.as_date(sent_date))
    session = ctx.session
    invitations = document_data.invitations(session, conference.id)
    # The chair, the child's social worker and staff invited, read together for the
    # document (the chair) and the emails (`dispatch.tell_staff`).
    child = session.get(Child, conference.child_id)
    dispatch.read_staff(
        session,
        [conference.chair_id, child.social_worker_id, *(i.person.user_id for i in invitations)],
    )
    data = document_data.compose(
        session, conference, invitations, str(kind), day_in_england(ctx.now)
    )
    kept = frozen.freeze(data)
    emailed = conference_reads.remembered(
        session, ("emailed", conference.id), lambda: emailed_person_ids(session, conference.id)
    )
    people = recipients(invitations, emailed)
    # Each person's copy is redacted for them; its fingerprint says what they received.
    copies = document_redaction.for_recipients(
        session, [i.person for i in invitations], conference.child_id, kept
    )
    prints: dict[int, str] = {}  # a copy shared by several people is fingerprinted once
    for person, copy in zip(people, copies, strict=True):
        if id(copy) not in prints:
            prints[id(copy)] = frozen.fingerprint(copy)
        person["sha256"] = prints[id(copy)]
    actor = ctx.actor
    record_id = dispatch.insert_record(
        session,
        conference_id=conference.id,
        kind=str(kind),
        purpose=SENT,
        generated_at=ctx.now,
        generated_by_id=actor.id if actor else None,
        generated_by_name=actor.display_name if actor else "The workflow",
        sent_on=workdays.as_date(sent_date),
        recipients=[{k: p[k] for k in ("name", "role", "by", "sha256")} for p in people],
        sha256=frozen.fingerprint(kept),
        data=kept,
    )
    for person in people:
        person["child_id"] = conference.child_id
    conference_of = {conference.child_id: conference.id}
    dispatch.queue_letters(session, record_id, str(kind), people, conference_of, ctx.now)
    dispatch.tell_staff(ctx, conference, data["title"], people, record_id)
    return record_id


def _send_family(ctx, conference: Conference, kind: str, sent_on) -> int:
    """A family conference's document, sent once for the group (`family_documents`).

    The first child's step sends it for every child it can cover, to everyone invited for
    any of them, each once. A brother's or sister's step then records that their child was
    covered (a "covered" record naming the family document) and sends nothing, unless someone
    has not had it for that child: a person invited for that child only, or a child decided
    after the decision letter or minutes went. Then it is sent again, for the children it can
    cover now, to those people only. A move of the meeting makes its letters new: those sent
    for an earlier booking cover nothing."""
    session = ctx.session
    rows = family_documents.members(session, conference, kind)
    data = family_documents.compose(session, rows, kind, day_in_england(ctx.now))
    kept = frozen.freeze(data)
    booking = _booking(kept)
    earlier = [
        r for r in family_records_for(session, conference.group_id, kind)
        if r.data and _booking(r.data) == booking
    ]  # fmt: skip
    had = {(c, p["key"]) for r in earlier for p in r.recipients for c in p.get("child_ids", [])}

    def sent_before(invitation: dict) -> bool:
        key = family_documents.identity(invitation)
        return all((c["child_id"], key) in had for c in invitation["invited_for"])

    waiting = [i for i in data["invitations"] if not sent_before(i)]
    covering = [r for r in earlier if conference.child_id in _children(r.data)]
    own = [
        i for i in waiting
        if any(c["child_id"] == conference.child_id for c in i["invited_for"])
    ]  # fmt: skip
    if covering and not own:
        return _covered(ctx, conference, kind, covering[-1], sent_on)
    emailed = set()
    for row, _invitations in rows:
        emailed |= emailed_person_ids(session, row.id)
    people = []
    for invitation in waiting:
        first = invitation["people"][0]
        person = session.get(CasePerson, first["person_id"])
        copy = document_redaction.for_recipient(session, person, person.child_id, kept)
        by = "secure link" if person.user_id else ("email" if person.id in emailed else "post")
        people.append(
            {
                "name": invitation["name"],
                "role": invitation["role"],
                "user_id": person.user_id,
                "person_id": person.id,
                "child_id": person.child_id,
                "by": by,
                "sha256": frozen.fingerprint(copy),
                "key": family_documents.identity(invitation),
                "child_ids": [c["child_id"] for c in invitation["invited_for"]],
            }
        )
    actor = ctx.actor
    record_id = dispatch.insert_record(
        session,
        conference_id=conference.id,
        kind=kind,
        purpose=SENT,
        generated_at=ctx.now,
        generated_by_id=actor.id if actor else None,
        generated_by_name=actor.display_name if actor else "The workflow",
        sent_on=sent_on,
        recipients=[
            {k: p[k] for k in ("name", "role", "by", "sha256", "key", "child_ids")} for p in people
        ],
        sha256=frozen.fingerprint(kept),
        data=kept,
        group_id=conference.group_id,
    )
    conference_of = {row.child_id: row.id for row, _invitations in rows}
    dispatch.queue_letters(session, record_id, kind, people, conference_of, ctx.now)
    children = tuple(conference_of)
    dispatch.tell_staff(ctx, conference, data["title"], people, record_id, children)
    return record_id


def _booking(data: dict) -> tuple:
    meeting = data["conference"]
    return tuple(meeting[k] for k in ("scheduled_on", "scheduled_time", "venue", "chair"))


def _children(data: dict | None) -> set[int]:
    return {part["child_id"] for part in (data or {}).get("children", [])}


def _covered(ctx, conference: Conference, kind: str, family: DocumentRecord, sent_on) -> int:
    """A sibling's step whose child the family document already covered: recorded, with
    the family document it was in, and nothing sent again (no letter, no email)."""
    actor = ctx.actor
    return dispatch.insert_record(
        ctx.session,
        conference_id=conference.id,
        kind=kind,
        purpose=COVERED,
        generated_at=ctx.now,
        generated_by_id=actor.id if actor else None,
        generated_by_name=actor.display_name if actor else "The workflow",
        sent_on=sent_on,
        recipients=[],
        sha256=family.sha256,
        group_id=conference.group_id,
        covered_by_id=family.id,
    )


def share_reports(conference_id, shared_date) -> int:
    """Mark every report received by that date as shared with the parents on that date (one
    received after it was not shared then), and record it per parent: a report withheld from
    a parent is not given to them."""
    ctx = step_context.current()
    shared = workdays.as_date(shared_date)
    count = 0
    reports = reports_for(ctx.session, conference_id)
    for report in reports:
        received = report.submitted_on is not None and report.submitted_on <= shared
        if received and report.shared_with_parents_on is None:
            report.shared_with_parents_on = shared
            count += 1
    given = [(r, r.shared_with_parents_on) for r in reports if r.shared_with_parents_on is not None]
    share_all_with_parents(ctx.session, given)  # all together: the parents read once
    return count


FUNCTIONS = {f.__name__: f for f in (send_document, share_reports)}
