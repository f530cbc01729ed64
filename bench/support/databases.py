"""Throwaway databases: a SQLite file in a temporary folder, or a PostgreSQL database created
for the run and dropped after it (BENCH_PG_URL names the server; default the local one)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def sqlite_url():
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def pg_available() -> bool:
    import psycopg

    try:
        psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


@contextlib.contextmanager
def postgres_url(prefix: str = "cpc_bench", server: str = PG_SERVER):
    """A new database on `server` (any database URL on it, SQLAlchemy's or libpq's form)."""
    import psycopg

    base = server.replace("postgresql+psycopg://", "postgresql://", 1).rpartition("/")[0]
    admin_url = f"{base}/postgres"
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def each_database(prefix: str = "cpc_bench"):
    """(label, context manager of a URL) for SQLite, and PostgreSQL when it answers."""
    yield "sqlite", sqlite_url()
    if pg_available():
        yield "postgresql", postgres_url(prefix)
