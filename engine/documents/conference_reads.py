"""What a conference's documents read, read once in a session while none of it changes.

A step that sends two documents (the agenda, then the invitation letters) composed each
from the same rows: invitations, reports and their files and shares, the chair's requests,
the report links and whether anything is withheld. Here each is kept in the session
(`engine.models.session_memo`) and read again only after something it was read from may
have changed.

Never stale: the memo is dropped whenever the session writes to any of `TABLES` (an ORM
flush of such a row, or an insert, update or delete on such a table run by the session;
any other statement but a select, text SQL included, drops it too), and at the end of
every transaction (a rollback may undo what was read; after a commit other sessions'
writes count). Changes not yet flushed are flushed first, as the query the memo stands for
would have autoflushed them; where the session does not autoflush (a step's script),
pending changes to `TABLES` make it read again. Rows the sending itself writes (its record,
posted letters, emails) are not in `TABLES`, so the second document of a step reads nothing
of the conference again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from engine.models import session_memo

T = TypeVar("T")

TABLES = frozenset(
    {
        "invitations",
        "case_people",
        "reports",
        "report_files",
        "report_shares",
        "conference_requests",
        "request_audiences",
        "professional_links",
        "withheld_items",
    }
)


def remembered(session: Session, key: tuple, read: Callable[[], T]) -> T:
    """What `read()` returns, read once while nothing in `TABLES` changes in this session.

    `key` names the read and its arguments, e.g. ("reports", conference_id). Callers must
    not change what comes back: the next document is composed from the same objects."""
    return session_memo.remembered(session, TABLES, key, read, strict=True)


def forget(session: Session) -> None:
    """Drop everything remembered in this session."""
    session_memo.forget(session, TABLES)
