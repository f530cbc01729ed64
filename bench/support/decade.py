"""Ten years of a large council's records, written by bulk SQL rather than through the engine.

500,000 process instances (most finished: cases closed over ten years; one in fifty still
running, started in the last three months) with ten task rows each, and what a decade leaves
beside them: fired timers (and one waiting timer per running instance), sent emails, audit
events, conferences with the plans some of them began (those of the last two years or so still
open) and the reviews tied to them, and the record of each agenda sent. Only the number and
shape of the rows matter to the pages measured, so the rows are made here in chunks and
written with COPY on PostgreSQL and `executemany` in big batches on SQLite.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from bench.support.reviews import link_reviews_to_plans
from engine.models import (
    AuditEvent,
    Child,
    Conference,
    DocumentRecord,
    HumanTask,
    OutboxMessage,
    Plan,
    ProcessInstance,
    Timer,
)

YEARS = 10
RUNNING_ONE_IN = 50  # 2% running: a council's open cases against ten years of closed ones
# One held initial conference in eight begins a plan: some 12,000 plans in ten years and 1,600
# open at a time, a large English council's (about 1,100 plans begun a year). Every one would
# be 98,000 plans and 13,000 open, ten times any council's.
PLAN_ONE_IN = 8
TASKS_PER_INSTANCE = 10
FIRED_TIMERS, EMAILS, AUDITS = 2, 2, 4  # per finished instance
CHUNK = 10_000  # instances per batch of rows
_PROCESSES = ("icpc",) * 2 + ("rcpc",) * 3 + ("core_group",) * 5


def generate(session: Session, instances: int, by_role, versions, steps, role_of_step) -> dict:
    """Write the decade; its shape as a dict (the figures the bench prints)."""
    now = datetime.now(UTC)
    today = now.date()
    children = instances // 2
    social_workers, chairs = by_role["social_worker"], by_role["conference_chair"]
    writer = _Writer(session)
    for start in range(0, children, 50_000):
        writer.put(
            Child,
            [
                {
                    "id": i + 1,
                    "reference": f"C{i + 1:07d}",
                    "given_name": f"Child{i}",
                    "family_name": f"F{i % 997}",
                    "date_of_birth": today - timedelta(days=365 * 3 + i % 4000),
                    "social_worker_id": social_workers[i % len(social_workers)],
                    "created_at": now,
                }
                for i in range(start, min(start + 50_000, children))
            ],
        )
    shape = dict.fromkeys(("tasks", "timers", "outbox", "audit", "conferences", "documents"), 0)
    shape |= {"plans": 0, "running": 0, "ready_tasks": 0}
    ten_years = YEARS * 365 * 24 * 60
    for start in range(0, instances, CHUNK):
        rows = {t: [] for t in _ORDER}
        for n in range(start, min(start + CHUNK, instances)):
            running = n % RUNNING_ONE_IN == 0
            # 2 in 10 initial conferences, 3 reviews, 5 core groups, running or finished alike.
            process = _PROCESSES[(n + n // RUNNING_ONE_IN) % 10]
            child_id = 1 + ((n // RUNNING_ONE_IN) if running else n) % children
            if running:
                started = now - timedelta(days=n % 90, minutes=n % 1440)
            else:  # oldest first, over ten years, each closed within about a month
                started = now - timedelta(minutes=ten_years * (instances - n) / instances + 60)
            iid = n + 1
            sw = social_workers[(child_id - 1) % len(social_workers)]
            rows[ProcessInstance].append(
                _instance(iid, process, versions, child_id, started, now, running)
            )
            _tasks(
                rows[HumanTask],
                iid,
                child_id,
                process,
                started,
                running,
                sw,
                chairs,
                steps,
                role_of_step,
            )
            _timers(rows[Timer], iid, started, now, running)
            _messages(rows[OutboxMessage], rows[AuditEvent], iid, child_id, started, running, sw)
            if process != "core_group":
                conference = _conference(iid, child_id, process, started, running, chairs)
                rows[Conference].append(conference)
                if conference["held_on"]:
                    rows[DocumentRecord].append(_document(iid, conference["held_on"], started))
                if process == "icpc" and conference["held_on"] and n % PLAN_ONE_IN == 0:
                    rows[Plan].append(_plan(child_id, conference["held_on"], today, n))
        for table in _ORDER:
            writer.put(table, rows[table])
        shape["running"] += sum(r["status"] == "running" for r in rows[ProcessInstance])
        shape["ready_tasks"] += sum(r["state"] == "ready" for r in rows[HumanTask])
        for key, table in _COUNTED.items():
            shape[key] += len(rows[table])
    writer.finish()
    shape["reviews_with_plan"] = link_reviews_to_plans(session)
    return {"children": children, "instances": instances, **shape}


def _instance(iid, process, versions, child_id, started, now, running) -> dict:
    return {
        "id": iid,
        "process_id": process,
        "version_id": versions[process],
        "child_id": child_id,
        "status": "running" if running else "completed",
        "state": "",
        "lock_version": 1,
        "next_timer_at": now + timedelta(days=1 + iid % 20) if running else None,
        "started_at": started,
        "updated_at": started,
        "ended_at": None if running else started + timedelta(days=30),
    }


def _tasks(out, iid, child_id, process, started, running, sw, chairs, steps, role_of_step):
    plan = (steps[process] * 3)[:TASKS_PER_INSTANCE]
    if running:  # the step it waits at: any of its steps, so every role has some
        plan[-1] = steps[process][(iid // RUNNING_ONE_IN) % len(steps[process])]
    for k, step in enumerate(plan):
        ready = running and k == TASKS_PER_INSTANCE - 1
        role = role_of_step.get(step, "social_worker")
        assignee = {"business_support": None, "social_worker": sw}.get(
            role, chairs[iid % len(chairs)]
        )
        created = started + timedelta(days=k * 3)
        out.append(
            {
                "id": f"{iid:08d}-0000-4000-8000-{k:012d}",
                "instance_id": iid,
                "child_id": child_id,
                "task_spec": step,
                "title": step.replace("_", " ").capitalize(),
                "lane": role.replace("_", " ").capitalize(),
                "role": role,
                "assignee_id": assignee,
                "due_on": (created + timedelta(days=10)).date(),
                "escalation_level": 0,
                "state": "ready" if ready else "completed",
                "created_at": created,
                "completed_at": None if ready else created,
                "completed_by_id": None if ready else assignee,
            }
        )


def _timers(out, iid, started, now, running):
    for k in range(FIRED_TIMERS):
        due = started + timedelta(days=5 + 7 * k)
        out.append(
            {
                "instance_id": iid,
                "task_id": f"{iid:08d}-0000-4000-9000-{k:012d}",
                "element": f"reminder_{k}",
                "name": "Reminder",
                "due_at": due,
                "status": "fired",
                "fired_at": due + timedelta(seconds=20),
                "fired_by": "bench",
            }
        )
    if running:
        out.append(
            {
                "instance_id": iid,
                "task_id": f"{iid:08d}-0000-4000-9000-{FIRED_TIMERS:012d}",
                "element": "deadline",
                "name": "Deadline",
                "due_at": now + timedelta(days=1 + iid % 20),
                "status": "waiting",
                "fired_at": None,
                "fired_by": None,
            }
        )


def _messages(outbox, audit, iid, child_id, started, running, sw):
    for k in range(EMAILS):
        at = started + timedelta(days=k * 5)
        outbox.append(
            {
                "idempotency_key": f"bench:{iid}:{k}",
                "kind": "task_assigned",
                "to_user_id": sw,
                "to_address": f"sw{sw}@x.invalid",
                "subject": "A task for you",
                "body": "A task is waiting.",
                "link_path": f"/instances/{iid}",
                "instance_id": iid,
                "status": "held" if running and k == EMAILS - 1 else "sent",
                "created_at": at,
                "attempts": 1,
                "sent_at": at,
            }
        )
    for k in range(AUDITS):
        audit.append(
            {
                "at": started + timedelta(days=k * 7),
                "actor_id": sw,
                "actor_name": "Bench",
                "action": "instance_started" if k == 0 else "task_completed",
                "instance_id": iid,
                "child_id": child_id,
                "detail": {},
            }
        )


def _conference(iid, child_id, process, started, running, chairs) -> dict:
    began = started.date()
    icpc = process == "icpc"
    return {
        "id": iid,
        "child_id": child_id,
        "instance_id": iid,
        "kind": "icpc" if icpc else "rcpc",
        "review_number": None if icpc else 1 + iid % 4,
        "strategy_discussion_date": began if icpc else None,
        "s47_start_date": began + timedelta(days=1) if icpc else None,
        "due_on": began + timedelta(days=21),
        "scheduled_time": "10:00",
        "venue": f"Room {iid % 5}",
        "chair_id": chairs[iid % len(chairs)],
        "held_on": None if running else began + timedelta(days=10 + iid % 13),
        "created_at": started,
    }


def _document(conference_id, held_on, started) -> dict:
    return {
        "conference_id": conference_id,
        "kind": "agenda",
        "file_format": "pdf",
        "purpose": "sent",
        "generated_at": started,
        "generated_by_name": "Business support",
        "sent_on": held_on - timedelta(days=5),
        "recipients": [],
        "sha256": f"{conference_id:064x}",
    }


def _plan(child_id: int, started_on: date, today: date, n: int) -> dict:
    ends = started_on + timedelta(days=180 + n % 600)
    return {
        "child_id": child_id,
        "started_on": started_on,
        "ended_on": None if ends >= today else ends,
        "initial_category": "NEG",
        "latest_category": "NEG",
        "previous_plans": 1 if n % 6 == 0 else 0,
    }


_ORDER = (
    ProcessInstance,
    Conference,
    Plan,
    HumanTask,
    Timer,
    OutboxMessage,
    AuditEvent,
    DocumentRecord,
)
_COUNTED = {
    "tasks": HumanTask,
    "timers": Timer,
    "outbox": OutboxMessage,
    "audit": AuditEvent,
    "conferences": Conference,
    "documents": DocumentRecord,
    "plans": Plan,
}


class _Writer:
    """COPY on PostgreSQL, executemany in big batches on SQLite, in the session's transaction."""

    def __init__(self, session: Session):
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self.tables = set()

    def put(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        table = model.__table__
        self.tables.add(table.name)
        if not self.postgres:
            self.session.execute(insert(table), rows)
            return
        names = list(rows[0])
        defaults = {
            c.name: c.default.arg if c.default.is_scalar else c.default.arg(None)
            for c in table.columns
            if c.name not in names and c.default is not None and not c.default.is_sequence
        }
        names += list(defaults)
        json_columns = {c.name for c in table.columns if c.type.__class__.__name__ == "JSON"}
        raw = self.session.connection().connection.driver_connection
        with raw.cursor() as cursor:
            columns = ", ".join(f'"{n}"' for n in names)
            with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    values = [row.get(n, defaults.get(n)) for n in names]
                    copy.write_row(
                        [
                            json.dumps(v) if n in json_columns else v
                            for n, v in zip(names, values, strict=True)
                        ]
                    )

    def finish(self) -> None:
        """Rows written with their ids leave PostgreSQL's sequences behind: catch them up."""
        if not self.postgres:
            return
        for name in self.tables:
            top = self.session.scalar(text(f'SELECT max(id) FROM "{name}"'))
            if isinstance(top, int):
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                self.session.execute(text(f"SELECT setval({sequence}, {top})"))
