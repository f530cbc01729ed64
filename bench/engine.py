"""What storage and HTTP cost: one task sequence run by raw SpiffWorkflow in memory, and by
the product's full path.

The sequence is a case whose one user task repeats (tests/engine/diagrams/loop.bpmn, no
scripts touching the database, so raw SpiffWorkflow can run it unaided). Raw: parse once,
then complete the task step after step in memory, nothing stored. Engine: the product's
`Engine.complete` (load or cached state, step, task rows, timers, audit, one
transaction). HTTP: the API request a client sends (token check, JSON, the same engine call),
run in the app through the WSGI test client, so no socket is timed. On SQLite and PostgreSQL.

Prints one JSON line. Usage: python bench/engine.py [--steps 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import settings  # noqa: E402

settings.apply_defaults(os.environ)

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from bench.support.databases import each_database  # noqa: E402
from bench.support.figures import latency  # noqa: E402
from engine.access import accounts, tokens  # noqa: E402
from engine.diagrams import registry  # noqa: E402
from engine.models import make_session_factory  # noqa: E402
from engine.models.instances import open_tasks  # noqa: E402
from engine.platform import schema  # noqa: E402
from engine.platform.db import make_engine, transaction  # noqa: E402
from engine.service import Engine  # noqa: E402

DIAGRAM = ROOT / "tests" / "engine" / "diagrams" / "loop.bpmn"


def raw_spiff(steps: int) -> list[float]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    spec = parser.get_spec("loop")
    workflow = BpmnWorkflow(spec)
    workflow.do_engine_steps()
    times = []
    for n in range(steps):
        started = time.perf_counter()
        task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
        task.set_data(visit=n, stop=False)
        task.run()
        workflow.do_engine_steps()
        times.append((time.perf_counter() - started) * 1000)
    return times


def prepare(url: str):
    db_engine = make_engine(url)
    schema.upgrade(db_engine)
    sessions = make_session_factory(db_engine)
    with sessions() as session:
        with transaction(session):
            user = accounts.create_user(
                session, "sw_sys", "sw", "sw@x.invalid", ["social_worker"], service_account=True
            )
            registry.deploy(session, registry.parse(DIAGRAM.read_bytes(), DIAGRAM.name), "bench")
        secret = tokens.create(session, "sw_sys", "bench", "bench", datetime.now(UTC))[1]
        user_id = user.id
    return db_engine, sessions, user_id, secret


def engine_path(sessions, user_id: int, steps: int) -> list[float]:
    from engine.models.people import User

    engine = Engine()
    times = []
    with sessions() as session:
        user = session.get(User, user_id)
        instance = engine.start(session, "loop", user, {})
        for n in range(steps):
            task = open_tasks(session, instance.id)[0]
            started = time.perf_counter()
            engine.complete(session, task.id, user, {"visit": n, "stop": False})
            times.append((time.perf_counter() - started) * 1000)
    return times


def http_path(url: str, sessions, user_id: int, secret: str, steps: int) -> list[float]:
    from engine.models.people import User
    from webui import create_app

    app = create_app({"DATABASE_URL": url})
    with sessions() as session:
        instance = Engine().start(session, "loop", session.get(User, user_id), {})
        task_id = open_tasks(session, instance.id)[0].id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    times = []
    for n in range(steps):
        started = time.perf_counter()
        response = client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"data": {"visit": n, "stop": False}},
            headers=headers,
        )
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.json}")
        task_id = response.json["ready_tasks"][0]["id"]
    app.extensions["cpc"].db_engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    raw = raw_spiff(args.steps)
    raw_p50 = statistics.median(raw)
    results = {"raw_spiffworkflow": latency(raw)}
    for label, database in each_database("cpc_issue7_bench"):
        with database as url:
            db_engine, sessions, user_id, secret = prepare(url)
            stored = engine_path(sessions, user_id, args.steps)
            served = http_path(url, sessions, user_id, secret, args.steps)
            db_engine.dispose()
        results[label] = {
            "engine": latency(stored),
            "http": latency(served),
            "engine_over_raw": round(statistics.median(stored) / raw_p50, 1),
            "http_over_raw": round(statistics.median(served) / raw_p50, 1),
        }
    print(
        json.dumps(
            {
                "bench": "engine",
                "sequence": f"{args.steps} completions of loop.bpmn's repeating task",
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg()[0],
                **results,
            }
        )
    )


if __name__ == "__main__":
    main()
