"""Rows a transaction adds and never reads back: written as one plain INSERT per table.

An email queued by a step, a letter for business support's print queue: made in numbers,
never changed in the same transaction, and nobody asks for their ids. As ORM objects each
cost its instrumented attributes, the unit of work's sorting and an INSERT ... RETURNING to
learn an id nobody uses: about 0.9 ms of CPU for five emails against 0.17 ms for the same
rows as one Core INSERT.

So they are kept as values in the session (`session.info`) and written when the ORM would
have written them: after the session's next flush (after the instance's version-checked
UPDATE, so a lost race still fails first and SQLite's write lock is taken no earlier), and at
the commit whatever else is pending. A rollback drops them (a savepoint's, those queued
inside it), and so does closing the session without a commit. Their bounded text is checked
as they are queued, as the flush would have (`lengths`).
"""

from __future__ import annotations

from sqlalchemy import Table, event, insert
from sqlalchemy.orm import Session, SessionTransaction

from engine.models import lengths, session_listeners
from engine.platform import db

_PENDING = "cpc.pending_rows"  # [(transaction, table, values)], in the order queued


def add(session: Session, model: type, values: dict) -> None:
    """Queue a row of `model` with these values (every row of a model with the same keys)."""
    lengths.refuse_too_long_values(model.__mapper__, [values])
    session_listeners.listen(session, _LISTENERS)
    session.info[db.WROTE] = True  # a unit that queued rows and did not commit is rolled back
    # begun if need be, as `Session.add` begins one: so a rollback is heard, and drops it
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, model.__table__, values))


def pending(session: Session, model: type) -> list[dict]:
    """The values of the rows of `model` queued and not yet written."""
    table = model.__table__
    return [values for _t, each, values in session.info.get(_PENDING, ()) if each is table]


def write(session: Session) -> None:
    """Write what is queued now: one INSERT per table, tables in the order first queued."""
    queued = session.info.pop(_PENDING, None)
    if not queued:
        return
    by_table: dict[Table, list[dict]] = {}
    for _transaction, table, values in queued:
        by_table.setdefault(table, []).append(values)
    for table, rows in by_table.items():
        session.execute(_insert(table), rows)  # as the session's: what it read is dropped


_INSERTS: dict[Table, object] = {}


def _insert(table: Table):
    """The INSERT for a table, built once: its cache key is then kept on it."""
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = insert(table)
    return statement


def _flushed(session: Session, _context) -> None:
    write(session)


def _committing(session: Session) -> None:
    # The flush first: its UPDATEs before these INSERTs, as the ORM orders them.
    session.flush()
    write(session)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    """Drop what was queued in a transaction that ended, or in one inside it: written by
    then if it committed; rolled back, or closed with the session, if not."""
    queued = session.info.get(_PENDING)
    if queued:
        session.info[_PENDING] = [each for each in queued if not _within(each[0], transaction)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _on(target) -> None:
    event.listen(target, "after_flush_postexec", _flushed)
    event.listen(target, "before_commit", _committing)
    event.listen(target, "after_transaction_end", _ended)


_LISTENERS = session_listeners.Listeners("pending_rows", _on)
