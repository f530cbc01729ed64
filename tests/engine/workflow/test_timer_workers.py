"""Timer workers as real processes: one killed with SIGKILL, four sweeping at once.

The workers run the real code with the real clock; the test process checks the database and
moves only its own injected clock (to see a lease before and after it expires).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from engine.models import AuditEvent, Escalation, ProcessInstance, Timer
from engine.platform.clock import SYSTEM, FixedClock
from engine.service import Engine
from engine.workflow import timers
from tests.factories import ROOT, deploy_test_diagram

REAL_TODAY = SYSTEM.today()


def seed(db, staff, count: int) -> list[int]:
    """`count` instances whose step was due ten days ago by the real calendar."""
    deploy_test_diagram(db, "deadline")
    engine = Engine(clock=FixedClock(datetime.now(UTC) - timedelta(days=30)))
    data = {
        "social_worker": "sw",
        "team_manager": "tm",
        "due_date": (REAL_TODAY - timedelta(days=10)).isoformat(),
    }
    return [engine.start(db, "deadline", staff["sw"], dict(data)).id for _ in range(count)]


CPC = str(Path(sys.executable).with_name("cpc"))  # the installed command, as a council runs it


def spawn(*command: str, env_url: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "CPC_ENV": "test"}
    if env_url:
        env["DATABASE_URL"] = env_url
    return subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def escalations_per_instance(db) -> Counter:
    rows = db.scalars(select(Escalation.instance_id).where(Escalation.level == 1))
    return Counter(rows)


def lease_of(db, instance_id):
    db.expire_all()
    row = db.get(ProcessInstance, instance_id)
    return row.lease_owner, row.lease_until


def wait_until_gone(db_engine, process: subprocess.Popen, facts: dict) -> None:
    """Reap the killed worker; on PostgreSQL also wait for its backend to end."""
    process.wait(timeout=30)
    if facts.get("backend_pid") and db_engine.dialect.name == "postgresql":
        with db_engine.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": facts["backend_pid"]}
            )


@pytest.mark.parametrize("mode", ["claim", "commit"])
def test_a_worker_killed_holding_a_lease_loses_it_and_another_fires_the_timer_once(
    db, db_url, db_engine, sessions, staff, mode
):
    [instance_id] = seed(db, staff, 1)
    holder = "tests.engine.workflow.lease_holder"
    worker = spawn(sys.executable, "-m", holder, db_url, "doomed", "600", mode)
    facts = json.loads(worker.stdout.readline())
    assert facts.get("claimed", [facts.get("firing")]) == [instance_id]
    os.kill(worker.pid, signal.SIGKILL)
    wait_until_gone(db_engine, worker, facts)
    worker.stdout.close()
    worker.stdin.close()

    owner, until = lease_of(db, instance_id)
    assert owner == "doomed"  # the lease outlives its holder; nothing of the firing committed
    assert escalations_per_instance(db) == Counter()
    survivor = Engine(clock=FixedClock(until - timedelta(seconds=1)))
    assert timers.sweep(sessions, survivor, "survivor").timers == 0  # not while it holds
    survivor.clock.set(until + timedelta(seconds=1))
    assert timers.sweep(sessions, survivor, "survivor").instances == 1
    assert timers.sweep(sessions, survivor, "survivor").instances == 0
    assert escalations_per_instance(db) == Counter({instance_id: 1})
    assert lease_of(db, instance_id) == (None, None)


def test_four_processes_sweeping_2000_due_timers_fire_each_exactly_once(
    db, db_url, sessions, staff
):
    ids = seed(db, staff, 2000)
    workers = [spawn(CPC, "scheduler", "--once", env_url=db_url) for _ in range(4)]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], outputs
    summaries = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    assert sum(s["instances"] for s in summaries) == 2000
    assert all(s["failed"] == 0 for s in summaries)

    assert escalations_per_instance(db) == Counter({i: 1 for i in ids})  # none twice, none missed
    fired = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "timers.fired")
    )
    assert fired == 2000
    owners = Counter(db.scalars(select(Timer.fired_by).where(Timer.status == "fired")))
    assert sum(owners.values()) == 4000  # the overdue and the expired timer of each
    assert len(owners) >= 2  # the work really was shared
    assert db.scalar(select(func.count()).where(ProcessInstance.next_timer_at.is_not(None))) == 0
