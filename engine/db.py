"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_SQLITE = Path(os.environ.get("CPC_DATA_DIR", "instance")) / "cpc.sqlite3"


def database_url(url: str | None = None) -> str:
    url = url or os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers run beside the one writer; NORMAL sync is safe under WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextlib.contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit when the block ends, roll everything back when it raises: all or nothing."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def redo_if_lost(session: Session) -> None:
    """Let this transaction commit without waiting for the disk (PostgreSQL only).

    Only for work the system redoes by itself if a crash loses the commit: a timer firing
    rolls back together with its lease, so the next sweep fires it again. Waiting for the
    disk is most of a firing's time on PostgreSQL. People's input is never committed this way.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def reusing(session: Session):
    """A session factory that hands out this one session and never closes it.

    For callers that already hold a session (the demo loader, a test) and want the
    services that open their own sessions (the timer sweep) to work inside it.
    """

    @contextlib.contextmanager
    def factory() -> Iterator[Session]:
        yield session

    return factory
