"""Fixtures shared by every test: a migrated database (SQLite, or PostgreSQL from DATABASE_URL),
a fixed clock, an engine. Test data comes from the factory functions in `factories.py`."""

from __future__ import annotations

import os

os.environ.setdefault("CPC_ENV", "test")

from datetime import UTC, datetime  # noqa: E402

import psycopg  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from engine.models import (
    Base,  # noqa: E402
    make_session_factory,
)
from engine.platform import schema, settings
from engine.platform.clock import LONDON, FixedClock
from engine.platform.db import make_engine
from engine.service import Engine

# Monday 2 March 2026, 10:00 in London: no bank holiday within three weeks either side.
START = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON).astimezone(UTC)


def database_url(tmp_path_factory) -> str:
    return os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres` tests need real concurrent connections: skipped on SQLite."""
    if make_url(os.environ.get("DATABASE_URL") or "sqlite://").get_backend_name() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    return database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def db_engine(db_url):
    engine = make_engine(db_url)
    schema.upgrade(engine)
    yield engine
    engine.dispose()


# PostgreSQL refuses DELETE on the audit trail (a trigger keeps it append-only): TRUNCATE it.
APPEND_ONLY = "audit_events"


def empty_tables(db_engine) -> None:
    """Every table emptied, and on PostgreSQL every sequence started again at 1. DELETE, not
    TRUNCATE: a test leaves a few rows, and truncating the 47 tables took 0.25 s a test on
    PostgreSQL (a new file for each), against 0.05 s; some six minutes of the suite's run."""
    postgres = db_engine.dialect.name == "postgresql"
    with db_engine.begin() as connection:
        if postgres:
            connection.execute(text(f"TRUNCATE {APPEND_ONLY}"))
        for table in reversed(Base.metadata.sorted_tables):
            if not (postgres and table.name == APPEND_ONLY):
                connection.execute(table.delete())
        if postgres:
            connection.execute(
                text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
            )


def truncate_all(db_engine) -> None:
    """Every table truncated, as new, on PostgreSQL: for the tests that read a query's plan,
    which the dead rows of earlier tests' deletes (and their index entries) would change."""
    if db_engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with db_engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sessions(db_engine):
    empty_tables(db_engine)
    settings.adopt(None, {})  # no saved council settings: the file's alone
    return make_session_factory(db_engine)


@pytest.fixture
def db(sessions):
    session = sessions()
    yield session
    session.close()


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def engine(clock):
    return Engine(clock=clock)


@pytest.fixture
def is_postgres(db_engine) -> bool:
    return db_engine.dialect.name == "postgresql"


@pytest.fixture
def other_database(db_url, tmp_path):
    """An empty database beside the test one: a new SQLite file, or a new PostgreSQL db."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{url.database}_restore"
    admin = url.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Argon2id still, with the smallest cost: tests make many accounts, none need strength."""
    from argon2 import PasswordHasher

    from engine.access import accounts

    monkeypatch.setattr(
        accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
