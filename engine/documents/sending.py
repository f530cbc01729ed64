"""Conference documents: produced for a person who downloads one, or sent by a diagram step.

Either way a `DocumentRecord` says when it was generated, by whom and (when sent) to whom.
Sending is a step in the diagrams ("Send the decision letter and outline plan", "Send the
minutes"), so its timescale is a timer there, reminded and escalated like any other step; the
step's script calls `send_document`, which records the recipients and tells the
professionals with accounts that it is ready, by a link (never the content) in the email.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.access import withholding
from engine.documents import document_data, document_render
from engine.messaging import outbox
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import Conference, invitations_for, reports_for
from engine.models.documents import DOWNLOADED, SENT, DocumentRecord
from engine.models.people import Child, User
from engine.platform import workdays
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
    data = document_data.gather(session, conference.id, kind, now.date())
    data = withholding.redact_document(session, user, conference.child_id, data)
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


def recipients(invitations: list) -> list[dict]:
    """Everyone invited, and how the document reaches them: a link for staff with accounts,
    the post for the family and for professionals without one."""
    found = []
    for invitation in invitations:
        person = invitation.person
        found.append(
            {
                "name": person.name,
                "role": invitation.role,
                "user_id": person.user_id,
                "by": "secure link" if person.user_id else "post",
            }
        )
    return found


# ---- functions the diagrams call ------------------------------------------------------------


def send_document(conference_id, kind, sent_date) -> int:
    """Record that the step sent this document, to whom, and tell the staff it is ready."""
    ctx = step_context.current()
    conference = fetch(ctx.session, Conference, conference_id, "There is no such conference.")
    invitations = invitations_for(ctx.session, conference.id)
    data = document_data.compose(ctx.session, conference, invitations, str(kind), ctx.now.date())
    page = document_render.render_html(data)
    people = recipients(invitations)
    actor = ctx.actor
    record = DocumentRecord(
        conference_id=conference.id,
        kind=str(kind),
        purpose=SENT,
        generated_at=ctx.now,
        generated_by_id=actor.id if actor else None,
        generated_by_name=actor.display_name if actor else "The workflow",
        sent_on=workdays.as_date(sent_date),
        recipients=[{k: p[k] for k in ("name", "role", "by")} for p in people],
        sha256=document_render.fingerprint(page.encode()),
    )
    ctx.session.add(record)
    ctx.session.flush()
    _tell_staff(ctx, conference, data["title"], people, record.id)
    return record.id


def _tell_staff(ctx, conference: Conference, title: str, people: list[dict], record_id) -> None:
    child = ctx.session.get(Child, conference.child_id)
    user_ids = {p["user_id"] for p in people if p["user_id"]}
    user_ids.add(child.social_worker_id)
    for user_id in sorted(i for i in user_ids if i):
        user = ctx.session.get(User, user_id)
        outbox.queue(
            ctx.session,
            kind="document",
            key=f"document:{record_id}:{user_id}",
            user=user,
            subject=f"{title} sent ({ctx.instance.reference})",
            body=f"The {title.lower()} for case {ctx.instance.reference} has been sent.",
            link=f"/conferences/{conference.id}",
            instance_id=ctx.instance.id,
            now=ctx.now,
            new_key=True,
        )


def share_reports(conference_id, shared_date) -> int:
    """Mark every report received by that date as shared with the parents on that date (one
    received after it was not shared then)."""
    ctx = step_context.current()
    shared = workdays.as_date(shared_date)
    count = 0
    for report in reports_for(ctx.session, conference_id):
        received = report.submitted_on is not None and report.submitted_on <= shared
        if received and report.shared_with_parents_on is None:
            report.shared_with_parents_on = shared
            count += 1
    return count


FUNCTIONS = {f.__name__: f for f in (send_document, share_reports)}
