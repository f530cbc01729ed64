"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from engine.platform import idle_ping

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
    if "options" not in make_url(url).query:
        # PostgreSQL compiles a query to machine code when its estimated cost is high, which
        # pays for hours-long reports, not for pages: a manager's views at ten years' records
        # spent 48 ms of 213 compiling (issue 28). Options given in the URL stand instead.
        kwargs.setdefault("connect_args", {}).setdefault("options", "-c jit=off")
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        idle_ping.install(engine)
    return engine


def make_session_factory(engine: Engine, before_flush: Iterable = ()) -> sessionmaker[Session]:
    """Sessions for one database, with every session-wide listener registered here.

    `before_flush` are the checks the layers above need on every flush (the models pass
    theirs through `engine.models.make_session_factory`); they are listened on this factory
    only, never class-wide on `Session`, so nothing depends on what happened to be imported.
    """
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
    for guard in before_flush:
        event.listen(factory, "before_flush", guard)
    _note_writes(factory)
    _keep_what_it_reads(factory)
    return factory


KEPT = "cpc.kept"


def _keep_what_it_reads(factory: sessionmaker[Session]) -> None:
    """A session holds every row it read until it closes (SQLAlchemy's own recipe).

    Its identity map holds rows only weakly, so a row one step function read and let go (the
    child, the chair, the conference) would be read again by the next, and a step that sends
    several documents would read the same rows for each. Sessions here are one request or
    one batch, so holding what they read costs little.
    """

    @event.listens_for(factory, "pending_to_persistent")
    @event.listens_for(factory, "deleted_to_persistent")
    @event.listens_for(factory, "detached_to_persistent")
    @event.listens_for(factory, "loaded_as_persistent")
    def keep(session, instance) -> None:
        session.info.setdefault(KEPT, set()).add(instance)

    @event.listens_for(factory, "persistent_to_detached")
    @event.listens_for(factory, "persistent_to_deleted")
    @event.listens_for(factory, "persistent_to_transient")
    def let_go(session, instance) -> None:
        session.info.get(KEPT, set()).discard(instance)


WROTE = "cpc.wrote"


def _note_writes(factory: sessionmaker[Session]) -> None:
    """Mark a session's transaction once it sends anything but a read, so `finish` knows."""

    @event.listens_for(factory, "after_flush")
    def flushed(session, _context) -> None:
        session.info[WROTE] = True

    @event.listens_for(factory, "do_orm_execute")
    def executed(state) -> None:
        if not state.is_select:
            state.session.info[WROTE] = True

    @event.listens_for(factory, "after_transaction_end")
    def ended(session, transaction) -> None:
        if transaction.parent is None:
            session.info.pop(WROTE, None)


def finish(session: Session, failed: bool = False) -> None:
    """End a unit of work's session: what it did not commit is never saved.

    A transaction that only read ends in COMMIT, not ROLLBACK: for the data the two are the
    same, but psycopg forgets every prepared statement on a ROLLBACK, so PostgreSQL would parse
    and plan each request's statements afresh. A failed unit, or one that wrote and did not
    commit, is rolled back.
    """
    try:
        if not failed and session.in_transaction() and not wrote(session):
            session.commit()
    except SQLAlchemyError:
        pass  # a transaction that only read loses nothing when it is rolled back instead
    finally:
        session.close()


def wrote(session: Session) -> bool:
    """Whether the session has written, or holds changes, that its last commit did not cover."""
    return bool(session.info.get(WROTE) or session.new or session.dirty or session.deleted)


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
    rolls back together with its lease, so the next sweep fires it again, and a firing need
    not wait for the disk. People's input is never committed this way.
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
