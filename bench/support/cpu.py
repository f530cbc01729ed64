"""CPU time per process, read from /proc, for splitting a phase's cost between the server's
workers, the clients (this process) and PostgreSQL's backends.

On two cores shared by clients, workers and the database, completions a second say how much
CPU a case costs in all, not where: the split says which side a change moved. It still moves
with the machine's speed (the same code has cost the workers 60 ms a case and, an hour later,
80), so a change is weighed against runs taken alternately with it.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def seconds(pids) -> float:
    """User and system CPU seconds the processes have spent (any gone since: nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def children(pid: int) -> list[int]:
    """The processes `pid` started: gunicorn's workers."""
    listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(each) for each in listed]


def database_backends(url: str) -> list[int]:
    """The PostgreSQL backends connected to `url`'s database (the server on this machine),
    this query's own left out; none for SQLite, whose work is the workers' own."""
    if not url.startswith("postgresql"):
        return []
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(plain, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class Split:
    """CPU spent by the workers, this process and the database's backends between `start`
    and `stop`, in ms per case."""

    def __init__(self, server_pid: int, url: str):
        self.server_pid, self.url = server_pid, url

    def start(self) -> None:
        self.workers = children(self.server_pid)
        self.backends = database_backends(self.url)
        self.before = self._read()

    def stop(self, cases: int) -> dict:
        after = self._read()
        return {
            side: round((after[side] - self.before[side]) * 1000 / max(cases, 1), 2)
            for side in after
        }

    def _read(self) -> dict:
        own = os.times()
        read = {"workers": seconds(self.workers), "clients": own.user + own.system}
        if self.url.startswith("postgresql"):
            read["database"] = seconds(self.backends)
        return read
