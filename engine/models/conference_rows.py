"""The rows a step's invitations add (case people, invitations, reports), written by Core.

"Send the invitations" adds a dozen rows to three tables; two unit-of-work flushes of them
were a third of its record function's Python calls. Here each table's rows go in one INSERT
built once: case people and reports with their ids returned (invitations and reports name
the people; the diagram keeps the reports' ids), then put in the session as if read back,
so the report links and documents the step sends next find them there without a query;
invitations with nothing returned, as those documents read them by a query anyway. What a
flush did besides is done here: bounded text checked (`lengths`), column defaults written;
the session runs the statements, so what it remembered of these tables is dropped
(`session_memo`).
"""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from engine.models import lengths
from engine.models.base import attach_as_read
from engine.models.conferences import CasePerson, Invitation, Report


def add_as_read(session: Session, rows: list[CasePerson] | list[Report]) -> None:
    """Insert new rows of one of these classes (not added to the session), give each its id
    and put it in the session as if read back: one statement, however many rows."""
    if not rows:
        return
    model = type(rows[0])
    statement, columns, defaults = _STATEMENTS[model]
    values = [{key: row.__dict__.get(key) for key in columns} for row in rows]
    for row_values in values:
        for key, default in defaults:
            if row_values[key] is None:  # a flush leaves None out: the default is written
                row_values[key] = default
    lengths.refuse_too_long_values(model.__mapper__, values)
    ids = session.execute(statement, values).scalars().all()
    for row, row_values, row_id in zip(rows, values, ids, strict=True):
        row.__dict__.update(row_values)  # unset columns as None, not left to load
        row.id = row_id
        attach_as_read(session, row)


def insert_invitations(session: Session, conference_id: int, invited_on, people: list) -> None:
    """Invitations to the conference sent on `invited_on`, to `people` ((person id, role)
    pairs) in one statement."""
    common = {**_NO_INVITATION, "conference_id": conference_id, "invited_on": invited_on}
    values = [{**common, "person_id": person_id, "role": role} for person_id, role in people]
    if not values:
        return
    lengths.refuse_too_long_values(Invitation.__mapper__, values)
    session.execute(_INSERT_INVITATIONS, values)


def fill_in(row, **values) -> None:
    """Set what differs of `values` on a row: one set to the value it holds would still make
    the row dirty, and the next flush go through it for nothing."""
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def _statement(model) -> tuple:
    table = model.__table__
    columns = tuple(c.key for c in table.c if not c.primary_key)
    defaults = tuple(
        (c.key, c.default.arg) for c in table.c if c.default is not None and c.default.is_scalar
    )
    returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return returning, columns, defaults


# Built once: SQLAlchemy keeps a statement's cache key on it, so each step reuses it.
_STATEMENTS = {model: _statement(model) for model in (CasePerson, Report)}
_INSERT_INVITATIONS = insert(Invitation.__table__)
_NO_INVITATION = {c.key: None for c in Invitation.__table__.c if not c.primary_key}
