"""The audit trail as an administrator reads it: each event's detail (a correction's old and
new words, a request's text) with what is withheld from them in that event's child's record
taken out, read per child, as every other page reads a record. The rows themselves are never
touched: the trail is append-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.models import audit
from engine.models.base import read_only_copy
from engine.models.people import User


def search(session: Session, reader: User, **filters) -> audit.AuditPage:
    """`audit.search`, its events as this reader may read them."""
    found = audit.search(session, **filters)
    hidden: dict[int, list[str]] = {}
    events = []
    for event in found.events:
        if event.child_id is not None and event.child_id not in hidden:
            hidden[event.child_id] = withholding.values_hidden_from(session, reader, event.child_id)
        withheld = hidden.get(event.child_id, [])
        detail = withheld_text.redact_all(event.detail, withheld) if withheld else event.detail
        events.append(read_only_copy(event, detail=detail))
    return audit.AuditPage(events, found.total)
