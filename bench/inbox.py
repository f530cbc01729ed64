"""Pages at council scale: 50,000 process instances and 200,000 task rows.

The rows are written with bulk inserts (not through the engine: only their number and shape
matter here): three years of ICPC, review and core group instances, one in ten still running
with one ready task (a social worker's, a chair's, or business support's pool), every other
task done. Then the server time (inside the app, no network) of the pages and API lists a
person opens most: the inbox of a social worker and of business support (the biggest pool),
a case page, the process instance list, the same through the API, the dashboard, and the
children behind two of its figures (conferences carry their clocks, and a child's first
held ICPC starts a plan), and the managers' work views (overdue now, escalations, a team's
steps and what falls due, late reasons, instance search by child, the census). On SQLite
and on PostgreSQL (a throwaway database).

`--size 500k` is ten years of a large council instead (`bench/support/decade.py`: 500,000
instances, 5,000,000 task rows, their timers, emails, audit and documents, most finished).

Prints one JSON line. Usage: python bench/inbox.py [--size 50k|500k] [--repeat 30]
[--databases sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import settings  # noqa: E402

settings.apply_defaults(os.environ)  # production's checks apply, as in a council

from sqlalchemy import insert, select  # noqa: E402

from bench.support import decade  # noqa: E402
from bench.support.databases import each_database  # noqa: E402
from bench.support.figures import percentile, verdict  # noqa: E402
from bench.support.reviews import link_reviews_to_plans  # noqa: E402
from engine.access import accounts, tokens  # noqa: E402
from engine.diagrams import registry  # noqa: E402
from engine.models import (  # noqa: E402
    Child,
    Conference,
    HumanTask,
    Plan,
    ProcessInstance,
    User,
    UserRole,
    make_session_factory,  # noqa: E402
)
from engine.platform import schema  # noqa: E402
from engine.platform.db import make_engine, transaction  # noqa: E402
from forms import exists as form_exists  # noqa: E402

PASSWORD = "bench-password"
TASKS_PER_INSTANCE = 4
SOCIAL_WORKERS, TEAMS = 200, 10
STEPS = {
    "icpc": [
        "record_strategy_discussion",
        "book_conference",
        "send_invitations",
        "hold_conference",
    ],
    "rcpc": ["book_review", "send_invitations", "social_worker_report", "hold_review"],
    "core_group": ["core_group_meeting", "agree_late_reason", "core_group_meeting", "record"],
}
# One figure's children behind the dashboard: the ICPC timeliness list and the open plans.
FIGURES = {"dashboard_figure_icpc": "icpc_str_child", "dashboard_figure_plans": "open_12"}
# The managers' work views (issue 27), each one click from the dashboard.
WORK_VIEWS = {
    "overdue_now": "/dashboard/overdue",
    "overdue_one_team": "/dashboard/overdue?team=Team+3",
    "escalations_to_me": "/dashboard/escalations",
    "team_tasks": "/dashboard/team-tasks?team=Team+3",
    "due_in_four_weeks": "/dashboard/coming?team=Team+3",
    "late_reasons": "/dashboard/late-reasons",
    "instance_search_by_child": "/instances?child=child1234",
    "census_page": "/census",
}
TEAM_MANAGER_VIEWS = {
    "dashboard": "/dashboard",
    "overdue_now": "/dashboard/overdue",
    "team_tasks": "/dashboard/team-tasks",
    "instance_list": "/instances",
}
ROLE_OF_STEP = {
    "book_conference": "business_support",
    "book_review": "business_support",
    "send_invitations": "business_support",
    "hold_conference": "conference_chair",
    "hold_review": "conference_chair",
    "agree_late_reason": "team_manager",
}


def people(session) -> dict[str, list[int]]:
    """Staff in bulk (no password), plus signed-in people for the pages (with one)."""
    rows = []
    for i in range(SOCIAL_WORKERS):
        rows.append((f"sw{i}", "social_worker", f"Team {i % TEAMS}"))
    rows += [(f"bs{i}", "business_support", None) for i in range(20)]
    rows += [(f"chair{i}", "conference_chair", None) for i in range(10)]
    rows += [(f"tm{i}", "team_manager", f"Team {i}") for i in range(TEAMS)]
    now = datetime.now(UTC)
    session.execute(
        insert(User),
        [
            {
                "username": u,
                "display_name": u.title(),
                "email": f"{u}@x.invalid",
                "team": team,
                "active": True,
                "notify": "immediate",
                "created_at": now,
                "service_account": False,
            }
            for u, _role, team in rows
        ],
    )
    ids = dict(session.execute(select(User.username, User.id)).all())
    session.execute(insert(UserRole), [{"user_id": ids[u], "role": r} for u, r, _t in rows])
    by_role: dict[str, list[int]] = {}
    for username, role, _team in rows:
        by_role.setdefault(role, []).append(ids[username])
    return by_role


SIZES = {"50k": 50_000, "500k": 500_000}
DECADE_FROM = 500_000  # from this size the rows are ten years' (bench/support/decade.py)


def deployed(session) -> dict[str, int]:
    versions = {}
    for name in ("icpc", "rcpc", "core_group"):
        path = ROOT / "processes" / f"{name}.bpmn"
        versions[name] = registry.deploy(
            session, registry.parse(path.read_bytes(), path.name, form_exists), "bench"
        )[0].id
    session.flush()
    return versions


def generate(session, instances: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    by_role = people(session)
    versions = deployed(session)
    if instances >= DECADE_FROM:
        return decade.generate(session, instances, by_role, versions, STEPS, ROLE_OF_STEP)
    children = instances // 2
    today = date.today()
    now = datetime.now(UTC)
    social_workers, chairs = by_role["social_worker"], by_role["conference_chair"]
    session.execute(
        insert(Child),
        [
            {
                "reference": f"C{i + 1:06d}",
                "given_name": f"Child{i}",
                "family_name": f"F{i % 997}",
                "date_of_birth": today - timedelta(days=365 * 3 + i % 4000),
                "social_worker_id": social_workers[i % len(social_workers)],
                "created_at": now,
            }
            for i in range(children)
        ],
    )
    child_ids = list(session.scalars(select(Child.id).order_by(Child.id)))
    worker_of = {cid: social_workers[i % len(social_workers)] for i, cid in enumerate(child_ids)}
    instance_rows, task_rows, conference_rows, plan_rows = [], [], [], []
    planned: set[int] = set()
    for n in range(instances):
        process = rng.choices(list(STEPS), weights=[2, 3, 5])[0]
        running = n % 10 == 0
        # A child has at most one running workflow of a process (ONE_RUNNING_PER_CHILD):
        # the running tenth take a child each.
        child_id = child_ids[(n // 10 if running else n) % children]
        started = now - timedelta(days=rng.randint(0, 3 * 365), minutes=n % 1440)
        instance_rows.append(
            {
                "id": n + 1,
                "process_id": process,
                "version_id": versions[process],
                "child_id": child_id,
                "status": "running" if running else "completed",
                "state": "",
                "lock_version": 1,
                "started_at": started,
                "updated_at": started,
                "ended_at": None if running else started + timedelta(days=30),
                "timer_attempts": 0,
            }
        )
        if process != "core_group":
            row = _conference(rng, chairs, n + 1, child_id, process, started, running)
            conference_rows.append(row)
            held_on = row["held_on"]
            if process == "icpc" and held_on and child_id not in planned:
                planned.add(child_id)
                plan_rows.append(_plan(child_id, held_on, today, len(plan_rows)))
        steps = list(STEPS[process])
        if running:  # the step it waits at: any of its steps, so every role has some
            steps[-1] = rng.choice(steps)
        for step_no, step in enumerate(steps):
            ready = running and step_no == TASKS_PER_INSTANCE - 1
            role = ROLE_OF_STEP.get(step, "social_worker")
            assignee = (
                None
                if role == "business_support"
                else worker_of[child_id]
                if role == "social_worker"
                else rng.choice(by_role[role])
            )
            created = started + timedelta(days=step_no * 5)
            task_rows.append(
                {
                    "id": f"{n + 1:08d}-0000-4000-8000-{step_no:012d}",
                    "instance_id": n + 1,
                    "child_id": child_id,
                    "task_spec": step,
                    "title": step.replace("_", " ").capitalize(),
                    "lane": role.replace("_", " ").capitalize(),
                    "role": role,
                    "form_key": None,
                    "assignee_id": assignee,
                    "due_on": (created + timedelta(days=10)).date(),
                    "escalation_level": 0,
                    "state": "ready" if ready else "completed",
                    "created_at": created,
                    "completed_at": None if ready else created,
                    "completed_by_id": None if ready else assignee,
                }
            )
    for table, rows in (
        (ProcessInstance, instance_rows),
        (Conference, conference_rows),
        (Plan, plan_rows),
        (HumanTask, task_rows),
    ):
        for start in range(0, len(rows), 5000):
            session.execute(insert(table), rows[start : start + 5000])
    reviews_with_plan = link_reviews_to_plans(session)
    return {
        "children": children,
        "instances": len(instance_rows),
        "tasks": len(task_rows),
        "conferences": len(conference_rows),
        "plans": len(plan_rows),
        "reviews_with_plan": reviews_with_plan,
        "ready_tasks": sum(1 for t in task_rows if t["state"] == "ready"),
        "business_support_pool": sum(
            1 for t in task_rows if t["state"] == "ready" and t["assignee_id"] is None
        ),
    }


def _conference(rng, chairs, instance_id, child_id, process, started, running) -> dict:
    """An initial conference with its clocks (held 10 to 22 days after the strategy
    discussion, so some are late) or a review, with the meeting's time and place."""
    began = started.date()
    held = None if running else began + timedelta(days=rng.randint(10, 22))
    icpc = process == "icpc"
    return {
        "child_id": child_id,
        "instance_id": instance_id,
        "kind": "icpc" if icpc else "rcpc",
        "review_number": None if icpc else 1 + instance_id % 4,
        "strategy_discussion_date": began if icpc else None,
        "s47_start_date": began + timedelta(days=1) if icpc else None,
        "due_on": began + timedelta(days=21),
        "scheduled_time": "10:00",
        "venue": f"Room {instance_id % 5}",
        "chair_id": rng.choice(chairs),
        "held_on": held,
        "created_at": started,
    }


def _plan(child_id: int, started_on: date, today: date, n: int) -> dict:
    """A plan from the child's first initial conference: most ended within a year or two,
    one in four still open; one in six a second plan."""
    ends = started_on + timedelta(days=180 + n % 600)
    return {
        "child_id": child_id,
        "started_on": started_on,
        "ended_on": None if n % 4 == 0 or ends >= today else ends,
        "initial_category": "NEG",
        "latest_category": "NEG",
        "previous_plans": 1 if n % 6 == 0 else 0,
    }


def signed_in(app, username: str):
    client = app.test_client()
    html = client.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        "/sign-in", data={"csrf_token": csrf, "username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.status_code
    return client


# The collection schedule a gunicorn worker keeps (`webui.memory.FullCollections`): full
# collections after a response, never inside one. `measure` sets it, so a page timed here
# does not pay for a full collection that a worker would have run between two requests.
_WORKER_COLLECTIONS: list = []


def _request_served() -> None:
    for collections in _WORKER_COLLECTIONS:
        collections.request_served()


def timed(client, path: str, repeat: int, headers=None) -> dict:
    for _ in range(3):
        client.get(path, headers=headers).close()
        _request_served()
    samples, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        response.get_data()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        status = response.status_code
        response.close()
        _request_served()
    if status != 200:
        raise RuntimeError(f"{path}: {status}")
    # CPU time is this process's own work: on a shared machine it moves less than wall time.
    return {
        "p50_ms": round(percentile(samples, 0.5), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "cpu_p50_ms": round(percentile(cpu, 0.5), 1),
    }


def measure(url: str, instances: int, repeat: int) -> dict:
    from webui import create_app
    from webui.memory import FullCollections, freeze_what_is_loaded

    db_engine = make_engine(url)
    schema.upgrade(db_engine)
    sessions = make_session_factory(db_engine)
    started = time.perf_counter()
    with sessions() as session, transaction(session):
        shape = generate(session, instances)
        for username, role, team in [
            ("sw_bench", "social_worker", "Team 0"),
            ("bs_bench", "business_support", None),
            ("sm_bench", "service_manager", None),
            ("tm_bench", "team_manager", "Team 3"),
        ]:
            accounts.create_user(
                session, username, username, f"{username}@x.invalid", [role], PASSWORD, team
            )
        for username, role in (("sm_sys", "service_manager"), ("bs_sys", "business_support")):
            accounts.create_user(
                session, username, username, f"{username}@x.invalid", [role], service_account=True
            )
    shape["generated_in_s"] = round(time.perf_counter() - started, 1)
    with sessions() as session:
        secrets = {
            u: tokens.create(session, u, "bench", "bench", datetime.now(UTC))[1]
            for u in ("sm_sys", "bs_sys")
        }
        # The busiest social worker's case: the one with the most instances of sw0's children.
        sw0 = session.scalar(select(User.id).where(User.username == "sw0"))
        busy_child = session.scalar(select(Child.id).where(Child.social_worker_id == sw0))
        with transaction(session):
            # sw_bench takes over sw0's caseload, so their inbox and case pages are real ones.
            me = session.scalar(select(User).where(User.username == "sw_bench"))
            session.query(Child).filter(Child.social_worker_id == sw0).update(
                {"social_worker_id": me.id}
            )
            session.query(HumanTask).filter(HumanTask.assignee_id == sw0).update(
                {"assignee_id": me.id}, synchronize_session=False
            )
    if db_engine.dialect.name == "postgresql":
        # A council's database is vacuumed and has planner statistics (autovacuum keeps both);
        # straight after bulk inserts it has neither: the planner guesses one row where there
        # are thousands, and an index-only scan still reads the table for every row.
        with db_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
    db_engine.dispose()
    app = create_app({"DATABASE_URL": url})
    freeze_what_is_loaded()  # as each gunicorn worker does once the app is loaded
    _WORKER_COLLECTIONS[:] = [FullCollections()]  # ... and its full collections' schedule
    sw, bs, sm, tm = (signed_in(app, u) for u in ("sw_bench", "bs_bench", "sm_bench", "tm_bench"))
    api = app.test_client()
    token = {"Authorization": f"Bearer {secrets['sm_sys']}"}
    pool_token = {"Authorization": f"Bearer {secrets['bs_sys']}"}
    pages = {
        "inbox_social_worker": timed(sw, "/inbox", repeat),
        "inbox_business_support": timed(bs, "/inbox", repeat),
        "case_page": timed(sw, f"/children/{busy_child}", repeat),
        "instance_list": timed(sm, "/instances", repeat),
        "instance_list_running": timed(sm, "/instances?status=running", repeat),
        "api_tasks_business_support_pool": timed(
            api, "/api/v1/tasks?scope=role", repeat, pool_token
        ),
        "api_instances_overdue": timed(api, "/api/v1/instances?overdue=true", repeat, token),
        "api_case_summary": timed(api, f"/api/v1/children/{busy_child}", repeat, token),
    }
    pages["dashboard"] = timed(sm, "/dashboard", repeat)
    for name, key in FIGURES.items():
        pages[name] = timed(sm, f"/dashboard/figure?key={key}", repeat)
    for name, path in WORK_VIEWS.items():
        pages[name] = timed(sm, path, repeat)
    # A team manager sees their teams' children only: the same pages read through that filter.
    for name, path in TEAM_MANAGER_VIEWS.items():
        pages[f"{name}_team_manager"] = timed(tm, path, repeat)
    app.extensions["cpc"].db_engine.dispose()
    return {"data": shape, "pages": pages}


def targets(results: dict) -> dict:
    """Issue 28: every page p95 <= 100 ms, but the dashboard and its figures' pages <= 300."""
    found = {}
    dashboard = {"dashboard", "dashboard_team_manager", *FIGURES}
    for label, figures in results.items():
        for name, page in figures["pages"].items():
            target = 300 if name in dashboard else 100
            found[f"{label}_{name}_p95_ms"] = verdict(page["p95_ms"], target)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, help="50k (three years) or 500k (ten years)")
    parser.add_argument("--instances", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    instances = SIZES[args.size] if args.size else args.instances
    results = {}
    for label, database in each_database("cpc_issue7_bench"):
        if label in args.databases.split(","):
            with database as url:
                results[label] = measure(url, instances, args.repeat)
    print(
        json.dumps(
            {
                "bench": "inbox",
                "timing": "server time inside the app (test client)",
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg()[0],
                **results,
                "targets": targets(results),
            }
        )
    )


if __name__ == "__main__":
    main()
