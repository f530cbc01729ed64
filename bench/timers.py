"""How many due timers the sweep fires, how late, and whether any fires twice or never.

Seeds N cases (default 10,000) that each wait for one timer at its own instant, spread over a
window that starts once seeding is done; runs W real `cpc scheduler` processes (default 2)
against the database; waits until every timer has fired or the patience runs out; prints one
JSON line:

  timers, workers, fired, duplicates, missed, seconds, p50_lag_s, p99_lag_s, max_lag_s, ...

`seconds` runs from the first due instant to the last firing; lag is `fired_at - due_at` of
each timer. `missed` counts cases still waiting at the end (a timer that never fired). If
seeding ran past the first due instants (`seeding_overran`, a slow machine), the cases started
after their instant fired their timer in the start step itself, as the engine does with a
deadline already past: `fired_on_start` counts them, and they are not sweep work, so the
sweep's figures then cover fewer timers; give more `--lead`.

On PostgreSQL (DATABASE_URL=postgresql+psycopg://...) a throwaway database is
created beside the one named and dropped afterwards; otherwise a temporary SQLite file is used.

Usage: python bench/timers.py [--timers 10000] [--workers 2] [--spread 15] [--seeders 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.support import settings  # noqa: E402
from bench.support.databases import postgres_url, sqlite_url  # noqa: E402
from bench.support.figures import percentile, verdict  # noqa: E402
from engine.diagrams import registry  # noqa: E402
from engine.models import (  # noqa: E402
    AuditEvent,
    ProcessInstance,
    Timer,
    make_session_factory,  # noqa: E402
)
from engine.models.scheduler import SchedulerProcess  # noqa: E402
from engine.platform import schema  # noqa: E402
from engine.platform.clock import Clock  # noqa: E402
from engine.platform.db import make_engine, transaction  # noqa: E402
from engine.service import Engine  # noqa: E402

DIAGRAM = ROOT / "bench" / "diagrams" / "timer_at.bpmn"
CPC = str(Path(sys.executable).with_name("cpc"))
SEED_SECONDS_PER_CASE = 0.025  # per seeder: generous, so the first timer is not due mid-seeding


def main() -> None:
    args = parse_args()
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        prepare(url)
        workers = [spawn_worker(url, i) for i in range(args.workers)]
        try:
            wait_for_heartbeats(url, args.workers)
            first_due = datetime.now(UTC) + timedelta(
                seconds=args.lead + args.timers * SEED_SECONDS_PER_CASE / args.seeders
            )
            seed_started = time.monotonic()
            seed(url, args.timers, args.seeders, first_due, args.spread)
            seed_seconds = time.monotonic() - seed_started
            seeding_overran = datetime.now(UTC) > first_due
            wait_until_fired(url, first_due, args.spread, args.patience)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
        figures = measure(url, args.timers)
        figures.update(
            workers=args.workers,
            database=url.split(":", 1)[0],
            seed_seconds=round(seed_seconds, 1),
            seeding_overran=seeding_overran,
            spread_s=args.spread,
            sweep_interval_s=float(os.environ.get("CPC_TIMER_SWEEP_SECONDS", "1")),
        )
        figures["targets"] = targets(figures)
        print(json.dumps(figures))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeders", type=int, default=2, help="processes seeding cases")
    parser.add_argument("--spread", type=float, default=15.0, help="seconds the due times span")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds from seeded to first due")
    parser.add_argument("--patience", type=float, default=300.0, help="seconds to wait at most")
    return parser.parse_args()


def throwaway_database(url: str | None):
    """A new PostgreSQL database beside DATABASE_URL's, or a temporary SQLite file."""
    if url and url.startswith("postgresql"):
        return postgres_url("cpc_bench_timers", server=url)
    return sqlite_url()


def targets(figures: dict) -> dict:
    """The issue's bar: every timer once, 10,000 in 20 s, p99 lag within a sweep and a second."""

    def known(value):  # None when nothing fired: then the target is missed
        return float("inf") if value is None else value

    return {
        "duplicates": verdict(figures["duplicates"], 0),
        "missed": verdict(figures["missed"], 0),
        "seconds": verdict(known(figures["seconds"]), 20.0),  # the bar is set for 10,000
        "p99_lag_s": verdict(known(figures["p99_lag_s"]), figures["sweep_interval_s"] + 1),
    }


def prepare(url: str) -> None:
    db_engine = make_engine(url)
    schema.upgrade(db_engine)
    with make_session_factory(db_engine)() as session, transaction(session):
        diagram = registry.parse(DIAGRAM.read_bytes(), DIAGRAM.name, None)
        registry.deploy(session, diagram, "bench")
    db_engine.dispose()


def seed(url: str, count: int, seeders: int, first_due: datetime, spread: float) -> None:
    """Start `count` cases in parallel processes; case i is due at first_due + i/count*spread."""
    chunks = [range(k, count, seeders) for k in range(seeders)]
    with ProcessPoolExecutor(seeders) as pool:
        list(
            pool.map(
                _seed_chunk,
                [url] * seeders,
                chunks,
                [first_due] * seeders,
                [spread] * seeders,
                [count] * seeders,
            )
        )


def _seed_chunk(url: str, indexes: range, first_due: datetime, spread: float, count: int) -> int:
    db_engine = make_engine(url)
    engine = Engine(clock=Clock())
    with make_session_factory(db_engine)() as session:
        for i in indexes:
            due = first_due + timedelta(seconds=spread * i / count)
            engine.start(session, "bench_timer_at", None, {"due_at": due.isoformat()})
    db_engine.dispose()
    return len(indexes)


def spawn_worker(url: str, number: int) -> subprocess.Popen:
    env = {
        **os.environ,
        **settings.production(tempfile.gettempdir() + "/cpc-bench-mail"),
        "DATABASE_URL": url,
        "CPC_MAIL_SEND_SECONDS": "3600",
    }
    return subprocess.Popen([CPC, "scheduler"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_for_heartbeats(url: str, workers: int, patience: float = 60.0) -> None:
    """Seed only once every worker is up, so start-up time is not counted as lag."""
    db_engine = make_engine(url)
    sessions = make_session_factory(db_engine)
    give_up = time.monotonic() + patience
    while time.monotonic() < give_up:
        with sessions() as session:
            if session.scalar(select(func.count()).select_from(SchedulerProcess)) >= workers:
                break
        time.sleep(0.2)
    else:
        raise SystemExit("the scheduler processes did not start")
    db_engine.dispose()


def wait_until_fired(url: str, first_due: datetime, spread: float, patience: float):
    db_engine = make_engine(url)
    sessions = make_session_factory(db_engine)
    give_up = first_due + timedelta(seconds=spread + patience)
    while datetime.now(UTC) < give_up:
        with sessions() as session:
            waiting = session.scalar(
                select(func.count()).select_from(Timer).where(Timer.status == "waiting")
            )
        if waiting == 0 and datetime.now(UTC) > first_due:
            break
        time.sleep(0.5)
    db_engine.dispose()


def measure(url: str, count: int) -> dict:
    db_engine = make_engine(url)
    with make_session_factory(db_engine)() as session:
        rows = session.execute(
            select(Timer.due_at, Timer.fired_at).where(Timer.status == "fired")
        ).all()
        firings = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timers.fired")
        )
        completed = session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.status == "completed")
        )
    db_engine.dispose()
    lags = sorted((fired - due).total_seconds() for due, fired in rows)
    fired = len(rows)
    span = (max(f for _, f in rows) - min(d for d, _ in rows)).total_seconds() if rows else None
    return {
        "timers": count,
        "fired": fired,
        "duplicates": max(0, firings - fired),
        "missed": count - completed,
        "fired_on_start": max(0, completed - fired),
        "completed_cases": completed,
        "seconds": round(span, 2) if span is not None else None,
        "p50_lag_s": round(percentile(lags, 0.50), 3) if lags else None,
        "p99_lag_s": round(percentile(lags, 0.99), 3) if lags else None,
        "max_lag_s": round(lags[-1], 3) if lags else None,
    }


if __name__ == "__main__":
    main()
