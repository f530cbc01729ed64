"""What a sending step writes for a document beside its data: the record, the letters to
post, the emails telling staff it is ready (`sending` decides what and to whom).

A step often sends two documents (the invitation letters, then the agenda). The record is
inserted at once, without a flush, as its id names it in the letters and emails: a flush
there would write the first document's letters and emails by themselves, one statement per
table, and the second's again at the save. Unflushed, both documents' letters and emails go
in one statement per table when the step is saved, in the order they were queued.
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.messaging import outbox
from engine.models import lengths, pending_rows
from engine.models.documents import DocumentRecord
from engine.models.people import Child, User, users_by_id
from engine.models.professional_links import PostedLetter


def insert_record(session: Session, **values) -> int:
    """Insert a `DocumentRecord` with these values; its id.

    Not added to the session, so it is not checked by the flush: its bounded text is checked
    here the same way (`lengths`), before any SQL is sent."""
    lengths.refuse_too_long_values(DocumentRecord.__mapper__, [values])
    return session.execute(insert(DocumentRecord).returning(DocumentRecord.id), values).scalar_one()


def queue_letters(
    session: Session, record_id: int, kind: str, people: list[dict], conference_of: dict, now
) -> None:
    """A letter in business support's print queue for each person it goes to by post
    (`conference_of`: each child's conference, for the child the person was invited for)."""
    for p in people:
        if p["by"] == "post":
            pending_rows.add(
                session,
                PostedLetter,
                {
                    "document_record_id": record_id,
                    "conference_id": conference_of[p["child_id"]],
                    "child_id": p["child_id"],
                    "person_id": p["person_id"],
                    "kind": kind,
                    "role": p["role"],
                    "queued_at": now,
                    "posted_on": None,
                    "posted_by_id": None,
                },
            )


def read_staff(session: Session, user_ids) -> None:
    """Read the accounts a send names (the chair, the social workers, staff invited) in one
    statement, those not read already in this session, so each is then found there."""
    wanted = {i for i in user_ids if i}
    missing = [i for i in wanted if session.identity_map.get(identity_key(User, i)) is None]
    if missing:
        users_by_id(session, missing)


def tell_staff(ctx, conference, title: str, people: list[dict], record_id, children=()) -> None:
    """Email each member of staff a link to the conference page, once per document: the
    accounts among its recipients and the social worker of each child it is for."""
    session = ctx.session
    user_ids = {p["user_id"] for p in people if p["user_id"]}
    for child_id in children or (conference.child_id,):
        user_ids.add(session.get(Child, child_id).social_worker_id)
    read_staff(session, user_ids)
    for user_id in sorted(i for i in user_ids if i):
        user = session.get(User, user_id)
        outbox.queue(
            session,
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
