"""Back up the database to one file and restore it: `cpc db backup` and `cpc db restore`.

PostgreSQL goes through its own tools (`pg_dump` in the custom format, `pg_restore`), which
take a consistent snapshot while the service runs; SQLite through its online backup API,
which copies a consistent database page by page while others read and write. Everything an
instance needs to carry on (its state, tasks, timers, outbox, audit trail) is in the
database, so a restored database continues where the backup left it: due timers fire at the
first sweep, and email that was pending goes out.

Passwords never go on a command line (another user could read it from the process list):
PostgreSQL's travels in `PGPASSWORD`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from engine.platform.errors import EngineError

SQLITE_HEADER = b"SQLite format 3\x00"


class BackupFailed(EngineError):
    """The dump or the restore did not complete; the message says why."""


def backup(database_url: str, target: Path) -> Path:
    """Write a full copy of the database to `target` (which must not exist yet)."""
    target = Path(target)
    if target.exists():
        raise BackupFailed(f"{target} already exists: choose a new file name.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(url), target)
    else:
        _pg("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}")
    return target


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup in `source`.

    Stop the app and the scheduler first: on PostgreSQL the restore drops and recreates
    every table in one transaction; on SQLite the file is overwritten page by page.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"There is no backup file at {source}.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _copy_sqlite(source, _sqlite_path(url), check_source=True)
    else:
        _pg(
            "pg_restore",
            url,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        )


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _copy_sqlite(source: Path, target: Path, check_source: bool = False) -> None:
    if not source.is_file():
        raise BackupFailed(f"There is no SQLite database at {source}.")
    try:
        with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
            if check_source:
                _check_sqlite_backup(source, reader)
            reader.backup(writer)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{source} is not a SQLite database backup ({exc}).") from None


def _check_sqlite_backup(source: Path, reader: sqlite3.Connection) -> None:
    """Refuse anything but an intact database of this service before overwriting one."""
    with source.open("rb") as file:
        if file.read(16) != SQLITE_HEADER:
            raise BackupFailed(f"{source} is not a SQLite database backup.")
    found = reader.execute("PRAGMA integrity_check").fetchone()[0]
    if found != "ok":
        raise BackupFailed(f"{source} is damaged: {found}")
    tables = {row[0] for row in reader.execute("SELECT name FROM sqlite_master")}
    if "alembic_version" not in tables:
        raise BackupFailed(f"{source} is not a backup of this service's database.")


def _pg(tool: str, url: URL, *arguments: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupFailed(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [program, f"--dbname={conninfo}", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupFailed(f"{tool} failed: {done.stderr.strip() or done.returncode}")
