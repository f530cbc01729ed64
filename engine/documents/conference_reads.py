"""What a conference's documents read, read once in a session while none of it changes.

A step that sends two documents (the agenda, then the invitation letters) composed each
from the same rows: invitations, reports and their files and shares, the chair's requests,
the report links and whether anything is withheld. Here each is kept in the session
(`session.info`) and read again only after something it was read from may have changed.

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

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

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
_MEMO = "conference_reads"


def remembered(session: Session, key: tuple, read: Callable[[], T]) -> T:
    """What `read()` returns, read once while nothing in `TABLES` changes in this session.

    `key` names the read and its arguments, e.g. ("reports", conference_id). Callers must
    not change what comes back: the next document is composed from the same objects."""
    if session.autoflush:
        session.flush()  # cheap when nothing is pending; may drop the memo (`_flushed`)
    elif _touches_tables(session):
        forget(session)  # changes the memo cannot see, not to be flushed here: read them
        return read()
    memo = session.info.get(_MEMO)
    if memo is None:
        memo = session.info[_MEMO] = {}
        _listen(session)
    if key not in memo:
        memo[key] = read()
    return memo[key]


def forget(session: Session) -> None:
    """Drop everything remembered in this session."""
    memo = session.info.get(_MEMO)
    if memo:
        memo.clear()


def _listen(session: Session) -> None:
    if session.info.get(_MEMO + ".listening"):
        return
    session.info[_MEMO + ".listening"] = True
    event.listen(session, "after_flush", _flushed)
    event.listen(session, "do_orm_execute", _executing)
    event.listen(session, "after_transaction_end", _ended)


def _flushed(session: Session, _context) -> None:
    # In after_flush, new, dirty and deleted still hold what this flush wrote.
    if session.info.get(_MEMO) and _touches_tables(session):
        forget(session)


def _touches_tables(session: Session) -> bool:
    """Whether any row added, changed or deleted and not yet flushed is in `TABLES`."""
    pending = (session.new, session.deleted, session.dirty)
    return any(_in_tables(type(row)) for rows in pending for row in rows)


@functools.cache
def _in_tables(model: type) -> bool:
    """Whether a mapped class writes to any of `TABLES` (read once per class: every flush
    of a step asks about each row it wrote)."""
    return any(t.name in TABLES for t in inspect(model).tables)


def _executing(state: ORMExecuteState) -> None:
    if state.is_select or not state.session.info.get(_MEMO):
        return
    table = getattr(state.statement, "table", None)
    dml = state.is_insert or state.is_update or state.is_delete
    if dml and getattr(table, "name", None) not in TABLES and table is not None:
        return  # a write to a table nothing remembered was read from
    forget(state.session)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A flush runs in a transaction of its own inside the session's: not an end.
    if transaction.parent is None or transaction.nested:
        forget(session)
