"""CPU time per process, read from /proc, for splitting a phase's cost between the server's
workers, the clients (this process) and PostgreSQL's backends.

On two cores shared by clients, workers and the database, completions a second say how much
CPU a case costs in all, not where: the split says which side a change moved. It still moves
with the machine's speed, so a change is weighed against runs taken alternately with it.
"""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def seconds(pids) -> dict[int, float]:
    """User and system CPU seconds each process has spent, by pid (one gone: left out)."""
    spent = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        spent[pid] = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return spent


def database_backends(url: str) -> list[int]:
    """The PostgreSQL backends connected to `url`'s database (the server on this machine),
    this query's own left out."""
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
    and `stop`, in ms per case: each side summed over the processes it had at the start and
    still has at the stop, and a backend that connected in between counted whole (a worker
    that served no request before the phase opens its connection during it). SQLite has no
    side of its own: its work is the workers'."""

    def __init__(self, workers: list[int], url: str):
        self.workers, self.url = workers, url

    def start(self) -> None:
        self.sides = {"workers": self.workers, "clients": [os.getpid()]}
        if self.url.startswith("postgresql"):
            self.sides["database"] = database_backends(self.url)
        self.before = {side: seconds(pids) for side, pids in self.sides.items()}

    def stop(self, cases: int) -> dict:
        split = {}
        for side, pids in self.sides.items():
            before = self.before[side]
            if side == "database":
                pids = database_backends(self.url)
            after = seconds(pids)
            spent = sum(after[pid] - before.get(pid, 0.0) for pid in after)
            split[side] = round(spent * 1000 / max(cases, 1), 2)
        return split
