"""How long completing a user task takes, how that grows, and how much memory the app idles at.

Prints one JSON line per figure:
- `api_complete_task`: ICPC tasks completed through the JSON API over real HTTP against
  gunicorn (one sync worker, SQLite), median and p95 in milliseconds;
- `engine_complete_task`: the same completions measured inside the engine (step + storage,
  one transaction), without HTTP;
- `loop_growth`: one instance whose single user task repeats; the time of step 5 and step 100;
- `plan_growth`: one child's plan through the real diagrams, a core group meeting recorded 100
  times (each meeting its own short instance); the time of meeting 5 and meeting 100;
- `icpc_state`: the stored state of an ICPC instance, bytes and gzipped bytes;
- `idle_rss_mb`: resident memory of the gunicorn worker after the run.

Usage: python bench/complete_task.py [--instances 60] [--loop-steps 100]
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CPC_ENV", "production")
os.environ.setdefault("SECRET_KEY", "bench-only")

from engine import (  # noqa: E402
    accounts,
    cases,
    registry,
    schema,
    workdays,  # noqa: E402
)
from engine.clock import LONDON, Clock, FixedClock  # noqa: E402
from engine.db import make_engine, make_session_factory, transaction  # noqa: E402
from engine.models import ProcessInstance  # noqa: E402
from engine.models.instances import instances_for_child, open_tasks  # noqa: E402
from engine.models.people import user_by_username  # noqa: E402

BORN = date(2016, 4, 11)
from engine.runtime import Engine  # noqa: E402
from forms import exists as form_exists  # noqa: E402

PASSWORD = "bench-password"
TODAY = Clock().today()
ICPC_STEPS = {
    "record_strategy_discussion": {
        "strategy_discussion_date": TODAY.isoformat(),
        "s47_start_date": TODAY.isoformat(),
        "outcome": "icpc",
    },
    "book_conference": {
        "conference_date": workdays.add_working_days(TODAY, 10).isoformat(),
        "conference_time": "10:00",
        "venue": "Room 2",
        "chair": "chair",
    },
}
ROLE_USER = {"social_worker": "sw", "business_support": "bs", "conference_chair": "chair"}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def figures(name, samples, **extra):
    return {
        "bench": name,
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
        **extra,
    }


def setup_database(url):
    db_engine = make_engine(url)
    schema.upgrade(db_engine)
    sessions = make_session_factory(db_engine)
    with sessions() as session, transaction(session):
        for username, role in [
            ("sw", "social_worker"),
            ("bs", "business_support"),
            ("chair", "conference_chair"),
            ("tm", "team_manager"),
        ]:
            accounts.create_user(
                session,
                username,
                username.title(),
                f"{username}@x.invalid",
                [role],
                PASSWORD,
                "North",
            )
        for path in [
            *sorted((ROOT / "processes").glob("*.bpmn")),
            ROOT / "tests" / "engine" / "diagrams" / "loop.bpmn",
        ]:
            check = form_exists if path.parent.name == "processes" else None
            registry.deploy(session, registry.parse(path.read_bytes(), path.name, check), "bench")
    return sessions


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny HTTP client with one session cookie (one per signed-in user)."""

    def __init__(self, port):
        self.port, self.cookie = port, None

    def call(self, method, path, body=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        payload = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload)


def start_server(url, port, access_log):
    env = dict(os.environ, DATABASE_URL=url, CPC_ENV="production", SECRET_KEY="bench-only")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(m)s %(U)s %(M)s",
            "webui:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def server_median_ms(access_log):
    """The same completions as gunicorn timed them: without the client and the connection."""
    times = [
        float(line.split()[2])
        for line in access_log.read_text().splitlines()
        if line.startswith("POST /api/tasks/")
    ]
    return statistics.median(times[5:]) if len(times) > 5 else None


def worker_rss_mb(server):
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    pid = children[0] if children else server.pid
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def api_bench(sessions, port, instances):
    clients = {name: Client(port) for name in ROLE_USER.values()}
    for name, client in clients.items():
        client.call("POST", "/api/session", {"username": name, "password": PASSWORD})
    with sessions() as session:
        sw = user_by_username(session, "sw")
        children = [
            cases.add_child(session, Engine(), sw, "Bench", f"Child{i}", BORN, sw).id
            for i in range(instances)
        ]
    samples = []
    for child_id in children:
        instance = clients["sw"].call("POST", "/api/instances", {"child_id": child_id})
        for _ in ICPC_STEPS:
            task = next(t for t in instance["ready_tasks"] if t["task"] in ICPC_STEPS)
            client = clients[ROLE_USER[task["role"]]]
            t0 = time.perf_counter()
            instance = client.call(
                "POST", f"/api/tasks/{task['id']}/complete", {"data": ICPC_STEPS[task["task"]]}
            )
            samples.append((time.perf_counter() - t0) * 1000)
    return samples, instance["id"]


def engine_bench(sessions, instances):
    engine = Engine()
    samples = []
    with sessions() as session:
        sw = user_by_username(session, "sw")
        users = {u: user_by_username(session, u) for u in ROLE_USER.values()}
        for i in range(instances):
            child = cases.add_child(session, engine, sw, "Engine", f"Child{i}", BORN, sw)
            instance = cases.start_conference(session, engine, sw, child.id)
            for spec, data in ICPC_STEPS.items():
                task = next(t for t in open_tasks(session, instance.id) if t.task_spec == spec)
                t0 = time.perf_counter()
                engine.complete_task(session, task.id, users[ROLE_USER[task.role]], data)
                samples.append((time.perf_counter() - t0) * 1000)
    return samples


def growth(bench, unit, times):
    """The 5th against the last of a run of steps, each a median of five around it."""
    window = lambda i: statistics.median(times[max(0, i - 3) : i + 2])  # noqa: E731
    fifth, last = window(4), window(len(times) - 1)
    return {
        "bench": bench,
        f"{unit}s": len(times),
        f"{unit}5_ms": round(fifth, 2),
        f"{unit}{len(times)}_ms": round(last, 2),
        "growth": round(last / fifth, 2),
    }


def loop_bench(sessions, steps):
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=LONDON).astimezone(UTC))
    engine = Engine(clock=clock)
    times = []
    with sessions() as session:
        sw = user_by_username(session, "sw")
        instance = engine.start(session, "loop", sw, {})
        for n in range(steps):
            task = open_tasks(session, instance.id)[0]
            clock.advance(minutes=5)
            t0 = time.perf_counter()
            engine.complete_task(session, task.id, sw, {"visit": n, "stop": False})
            times.append((time.perf_counter() - t0) * 1000)
    return growth("loop_growth", "step", times)


PLAN_STEPS = {
    "record_strategy_discussion": {
        "strategy_discussion_date": "2026-03-02",
        "s47_start_date": "2026-03-02",
        "outcome": "icpc",
    },
    "book_conference": {
        "conference_date": "2026-03-16",
        "conference_time": "10:00",
        "venue": "Civic Centre",
        "chair": "chair",
    },
    "send_invitations": {
        "invitations_sent_date": "2026-03-03",
        "family": [{"name": "Parent", "relationship": "Mother"}],
        "child_invited": False,
        "agencies": [],
        "parent_report_expected": False,
    },
    "hold_conference": {
        "held_date": "2026-03-16",
        "agencies_attended": ["children_social_care", "police", "gp"],
        "quorate": True,
        "harm": "h",
        "strengths": "s",
        "safety": "s",
        "child_views": "c",
        "parent_views": "p",
        "safety_plan": "s",
        "decision": "cp_plan",
        "category": "NEG",
    },
}


def plan_bench(sessions, meetings):
    """Meeting 5 against meeting 100 of one plan: a chain of instances should not slow down."""
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=LONDON).astimezone(UTC))
    engine = Engine(clock=clock)
    times = []
    with sessions() as session:
        sw = user_by_username(session, "sw")
        users = {u: user_by_username(session, u) for u in ROLE_USER.values()}
        child = cases.add_child(session, engine, sw, "Plan", "Child", BORN, sw)
        cases.start_conference(session, engine, sw, child.id)

        def open_step(spec):
            rows = [
                t
                for i in instances_for_child(session, child.id)
                for t in open_tasks(session, i.id)
                if t.task_spec == spec
            ]
            return rows[0]

        for spec, data in PLAN_STEPS.items():
            task = open_step(spec)
            engine.complete_task(session, task.id, users[ROLE_USER[task.role]], data)
        for n in range(meetings):
            task = open_step("core_group_meeting")
            clock.advance(minutes=5)
            answers = {
                "core_group_date": "2026-03-20",
                "core_group_attendees": "Core group",
                "core_group_progress": f"Meeting {n + 1}",
            }
            t0 = time.perf_counter()
            engine.complete_task(session, task.id, sw, answers)
            times.append((time.perf_counter() - t0) * 1000)
    return growth("plan_growth", "meeting", times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=60)
    parser.add_argument("--loop-steps", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        sessions = setup_database(url)
        port = free_port()
        access_log = Path(tmp) / "access.log"
        server = start_server(url, port, access_log)
        try:
            samples, last_instance = api_bench(sessions, port, args.instances)
            print(
                json.dumps(
                    figures(
                        "api_complete_task",
                        samples[5:],
                        transport="http",
                        server="gunicorn 1 worker",
                        server_median_ms=server_median_ms(access_log),
                        database="sqlite",
                    )
                )
            )
            print(
                json.dumps(
                    figures("engine_complete_task", engine_bench(sessions, args.instances)[5:])
                )
            )
            print(json.dumps(loop_bench(sessions, args.loop_steps)))
            print(json.dumps(plan_bench(sessions, args.loop_steps)))
            with sessions() as session:
                state = session.get(ProcessInstance, last_instance).state.encode()
            print(
                json.dumps(
                    {
                        "bench": "icpc_state",
                        "stage": "conference booked",
                        "bytes": len(state),
                        "gzip_bytes": len(gzip.compress(state)),
                    }
                )
            )
            time.sleep(1)
            print(
                json.dumps(
                    {
                        "bench": "idle_rss_mb",
                        "process": "gunicorn worker",
                        "value": worker_rss_mb(server),
                    }
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
