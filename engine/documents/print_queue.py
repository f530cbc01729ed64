"""Business support's print queue: the letters a step sent that must go in the post.

A family member, or a professional with neither an account nor an email address, gets a
conference's letters on paper. `send_document` queues one copy per such person; here
business support lists what waits, prints each copy as a PDF made for its recipient from the
data the step froze when it sent the document (what is withheld from them is not in it) and
marks it posted with the date, so "when did the mother get the decision letter" has an answer.
Everything is read through the reader's access to the child.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from engine.access import access
from engine.documents import document_data, document_redaction, document_render, frozen
from engine.documents.sending import Produced
from engine.models import audit
from engine.models.documents import DocumentRecord
from engine.models.instances import ProcessInstance
from engine.models.people import User
from engine.models.professional_links import PostedLetter, letters_waiting, mark_posted
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed, NotFound

PRINTERS = frozenset({"business_support"})
RECENT_DAYS = 14  # posted letters stay listed this long, so a slip can be checked


@dataclass(frozen=True)
class QueuedLetter:
    id: int
    reference: str
    title: str
    name: str
    role: str
    queued_at: datetime
    posted_on: date | None
    posted_by: str | None


class NotPosted(EngineError):
    """The letter cannot be recorded as posted: the date is wrong, or it already was."""


def can_print(user: User) -> bool:
    return bool(user.roles & PRINTERS)


def _require_printer(user: User) -> None:
    if not can_print(user):
        raise NotAllowed("The print queue is for business support.")


def _letter(session: Session, user: User, letter_id: int) -> PostedLetter:
    _require_printer(user)
    letter = session.get(PostedLetter, letter_id)
    if letter is None or not access.can_view_child(session, user, letter.child_id):
        raise NotFound("There is no such letter in the print queue.")
    return letter


def queue(session: Session, user: User, today: date) -> list[QueuedLetter]:
    """Letters waiting to be posted, then those posted in the last fortnight."""
    _require_printer(user)
    rows = letters_waiting(
        session,
        access.child_filter(user, PostedLetter.child_id),
        posted_since=today - timedelta(days=RECENT_DAYS),
    )
    references = {
        row.conference_id: session.get(ProcessInstance, row.conference.instance_id).reference
        for row in rows
    }
    letters = [
        QueuedLetter(
            id=row.id,
            reference=references[row.conference_id],
            title=document_data.TITLES.get(row.kind, row.kind),
            name=row.person.name,
            role=row.role,
            queued_at=row.queued_at,
            posted_on=row.posted_on,
            posted_by=row.posted_by.display_name if row.posted_by else None,
        )
        for row in rows
    ]
    return sorted(letters, key=lambda letter: letter.posted_on is not None)


def letter_pdf(session: Session, user: User, letter_id: int, now: datetime) -> Produced:
    """The copy for its recipient, as sent on the day the step sent it, less anything withheld
    from the person printing it (`document_redaction.for_posting`)."""
    letter = _letter(session, user, letter_id)
    sent = session.get(DocumentRecord, letter.document_record_id)
    if sent is not None and sent.data is not None:
        data = frozen.thaw(sent.data)  # exactly what the step sent
    else:  # sent before documents kept their data: the case as it stands, dated that day
        sent_on = day_in_england(letter.queued_at)
        data = document_data.gather(session, letter.conference_id, letter.kind, sent_on)
    data = document_redaction.for_posting(session, letter.person, letter.child_id, data, user)
    content = document_render.render(data, document_render.PDF)
    with transaction(session):
        audit.record(
            session,
            user,
            "letter.printed",
            now,
            instance_id=letter.conference.instance_id,
            letter_id=letter.id,
            kind=letter.kind,
        )
    reference = data["child"]["reference"]
    name = f"{reference}-{letter.kind.replace('_', '-')}-{letter.id}.pdf"
    return Produced(name, content, document_render.MIMETYPES[document_render.PDF])


def posted(session: Session, user: User, letter_id: int, posted_on, now: datetime) -> None:
    """Record the day the letter went in the post (today or earlier), once."""
    letter = _letter(session, user, letter_id)
    try:
        day = workdays.as_date(posted_on) if posted_on else None
    except ValueError:
        day = None
    if day is None or day > day_in_england(now):
        raise NotPosted("Enter the date the letter was posted: today or a day before.")
    if day < day_in_england(letter.queued_at):
        raise NotPosted("The letter cannot have been posted before it was sent to print.")
    with transaction(session):
        if not mark_posted(session, letter.id, day, user.id):
            raise NotPosted("This letter has already been marked as posted.")
        audit.record(
            session,
            user,
            "letter.posted",
            now,
            instance_id=letter.conference.instance_id,
            letter_id=letter.id,
            kind=letter.kind,
            posted_on=day.isoformat(),
        )
