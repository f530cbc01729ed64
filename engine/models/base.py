"""Declarative base and the column types every aggregate shares."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from sqlalchemy import DateTime, MetaData, inspect
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def fetch(session, model, key, missing: str):
    """The row with this primary key, or `NotFound` with a message fit to show."""
    from engine.platform.errors import NotFound

    row = session.get(model, key) if key is not None else None
    if row is None:
        raise NotFound(missing)
    return row


def columns(session, statement, params: dict):
    """Run a read of plain columns on the session's connection, past the ORM's execution
    path (which costs more than a small read itself, and builds nothing a column read needs).
    A session made to autoflush is flushed first, as the ORM would; the app's do not."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def utcnow() -> datetime:
    return datetime.now(UTC)


def attach_as_read(session: Session, row) -> None:
    """Put a row just written by a plain INSERT (never added) in the session as if read back.

    The database had no such row before, so one the session holds under its key is left from
    a step rolled back (a rollback expires what was attached, where it drops what was added;
    SQLite hands a rolled-back id out again): that one goes first."""
    make_transient_to_detached(row)
    ghost = session.identity_map.get(inspect(row).key)
    if ghost is not None:
        session.expunge(ghost)
    session.add(row)


def read_only_copy(row, **changed) -> SimpleNamespace:
    """A row's columns as plain attributes, some of them changed: what one reader may read
    (withheld text taken out) without touching the row, so nothing is ever written back."""
    values = {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs}
    return SimpleNamespace(**{**values, **changed})
