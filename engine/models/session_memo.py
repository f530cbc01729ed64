"""What a transaction reads more than once, read once: kept in the session until it may differ.

A step asks some questions twice (who holds a role: once to tell them of a new task, again
to remind them of it; a child's conferences: once for the family invited before, again for
the agencies). Each answer is kept in the session (`session.info`) under the tables it was
read from, and dropped whenever the session writes to one of them (an ORM flush of such a
row; an insert, update or delete on such a table run by the session; any other statement but
a select, text SQL included, drops every answer) and at the end of every transaction, a
savepoint's too (a rollback may undo what was read; after a commit other sessions' writes
count).

Changes not yet flushed: a session that autoflushes is flushed first, as the query would
have been. One that does not (a step's script) would not send them to the query either, and
the rows it reads are the objects the session holds, changes and all: an answer of such
objects, kept, is the answer the query gives. A read whose answer holds plain values of
columns a pending change may touch asks `strict`: then pending changes to its tables make
it read again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from engine.models import session_listeners

T = TypeVar("T")

_MEMO = "cpc.memo"  # {tables: {key: answer}}


def remembered(
    session: Session, tables: frozenset[str], key: tuple, read: Callable[[], T], strict=False
) -> T:
    """What `read()` returns, read once in this transaction while nothing in `tables`
    changes. `key` names the read and its arguments, e.g. ("with_role", role). Callers
    must not change what comes back (copy a list before changing it). No `tables`: kept
    for the transaction whatever it writes (what the transaction itself made)."""
    if tables and session.autoflush:
        session.flush()  # cheap when nothing is pending; may drop the answers (`_flushed`)
    elif strict and _touches(session, tables):
        forget(session, tables)  # changes a kept answer cannot see, not flushed here
        return read()
    memos = session.info.get(_MEMO)
    if memos is None:
        memos = session.info[_MEMO] = {}
        session_listeners.listen(session, _LISTENERS)
    memo = memos.get(tables)
    if memo is None:
        memo = memos[tables] = {}
    if key in memo:
        return memo[key]
    answer = read()
    # Kept in the dictionary taken before reading: a write while reading dropped it.
    memo[key] = answer
    return answer


def forget(session: Session, tables: frozenset[str] | None = None) -> None:
    """Drop what was read from any of `tables` in this session (None: from any table). What
    the transaction itself made (kept with no tables) stays until the transaction ends."""
    memos = session.info.get(_MEMO)
    if not memos:
        return
    for read_from in [t for t in memos if t & tables] if tables else [t for t in memos if t]:
        del memos[read_from]


def _listen_on(target) -> None:
    event.listen(target, "after_flush", _flushed)
    event.listen(target, "do_orm_execute", _executing)
    event.listen(target, "after_transaction_end", _ended)


_LISTENERS = session_listeners.Listeners("memo", _listen_on)


def _flushed(session: Session, _context) -> None:
    # In after_flush, new, dirty and deleted still hold what this flush wrote.
    memos = session.info.get(_MEMO)
    if memos:
        written = _tables_pending(session)
        if written:
            forget(session, written)


def _touches(session: Session, tables: frozenset[str]) -> bool:
    return bool(_tables_pending(session) & tables)


def _tables_pending(session: Session) -> frozenset[str]:
    """The tables of every row added, changed or deleted and not yet flushed."""
    pending = (session.new, session.deleted, session.dirty)
    return frozenset().union(*(_tables_of(type(row)) for rows in pending for row in rows))


@functools.cache
def _tables_of(model: type) -> frozenset[str]:
    """The tables a mapped class writes to (asked once per class: every flush of a step
    asks about each row it wrote)."""
    return frozenset(t.name for t in inspect(model).tables)


def _executing(state: ORMExecuteState) -> None:
    if state.is_select or not state.session.info.get(_MEMO):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    dml = state.is_insert or state.is_update or state.is_delete
    if dml and name is not None:
        forget(state.session, frozenset((name,)))
    else:
        forget(state.session)  # text SQL, or a statement naming no one table


def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A flush runs in a transaction of its own inside the session's: not an end.
    if (transaction.parent is None or transaction.nested) and session.info.get(_MEMO):
        session.info[_MEMO].clear()
