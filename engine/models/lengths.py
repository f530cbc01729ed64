"""Bounded text columns: their limits read from the models, and checked before every flush.

SQLite ignores `String(N)`; PostgreSQL refuses a longer value with a database error, which
would reach a person as a crash page after part of their work was written. Forms read these
limits (`limit`) so a person sees the field at fault; the flush check is the one place that
catches every other path (a diagram passing task data to a record function, an API client,
a future view) and turns it into `InvalidValue`, raised before any SQL is sent.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import String
from sqlalchemy.orm import Session

from engine.models.base import Base
from engine.platform.errors import InvalidValue


def limit(attribute) -> int:
    """The length bound of a mapped column, e.g. `limit(CasePerson.name)` is 200."""
    length = getattr(attribute.expression.type, "length", None)
    if length is None:
        raise ValueError(f"{attribute} is not a bounded text column")
    return length


def table_limit(reference: str) -> int:
    """The bound of `"table.column"`, for form definitions that cannot import a model."""
    table, _, column = reference.partition(".")
    found = Base.metadata.tables.get(table)
    if found is None or column not in found.c:
        raise KeyError(reference)
    length = getattr(found.c[column].type, "length", None)
    if length is None:
        raise KeyError(reference)
    return length


def label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def too_long_values(mapper, values: dict) -> dict[str, str]:
    """A message per bounded column of `mapper`'s class whose value in `values` (a row's
    loaded attributes, or what a plain INSERT is to write) is longer than the column."""
    problems = {}
    for key, length in _bounds(mapper):
        value = values.get(key)
        if isinstance(value, str) and len(value) > length:
            problems[key] = f"{label(key)} must be {length} characters or fewer"
    return problems


@cache
def _bounds(mapper) -> tuple[tuple[str, int], ...]:
    """The bounded text attributes of a mapped class and their lengths, read once per class
    (every flush checks each new or changed row)."""
    found = []
    for column in mapper.columns:
        length = getattr(column.type, "length", None)
        if isinstance(column.type, String) and length is not None:
            found.append((mapper.get_property_by_column(column).key, length))
    return tuple(found)


def refuse_too_long(session: Session, _context, _instances) -> None:
    rows = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Base)]
    _refuse((obj.__mapper__, obj.__dict__) for obj in rows)


def refuse_too_long_values(mapper, rows) -> None:
    """`InvalidValue` if any of `rows` (values of `mapper`'s class) holds text too long for
    its column: for rows written by a plain INSERT, which the flush never checks."""
    _refuse((mapper, values) for values in rows)


def _refuse(rows) -> None:
    problems: dict[str, str] = {}
    for mapper, values in rows:
        for key, message in too_long_values(mapper, values).items():
            problems.setdefault(key, message)
    if problems:
        raise InvalidValue(problems)
