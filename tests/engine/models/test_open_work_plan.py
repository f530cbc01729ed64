"""The managers' views of waiting steps read waiting steps only, however many are finished.

Ten years leave millions of finished task rows beside a few thousand waiting ones (issue 28):
"overdue now", a team's steps, what falls due and the dashboard's overdue counts must find
their rows through the index of waiting steps (migration 0032), never by reading past the
finished ones. A few hundred finished rows stand in for the decade; the plan is checked.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert

from engine.models import Child, HumanTask, ProcessInstance, User, manager_views, performance
from engine.models.instances import COMPLETED, DONE, READY, READY_DUE, RUNNING
from engine.models.processes import ProcessVersion
from tests.conftest import truncate_all

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FINISHED, WAITING = 400, 6
STATE_LED = "ix_human_tasks_state_role_assignee_id_child_id"


def seed(db) -> None:
    truncate_all(db.get_bind())
    db.execute(
        insert(User),
        [{"id": 1, "username": "sw", "display_name": "Sw", "email": "sw@x.invalid",
          "team": "North", "active": True}],
    )  # fmt: skip
    db.execute(
        insert(Child),
        [{"id": 1, "reference": "C1", "given_name": "A", "family_name": "B",
          "social_worker_id": 1}],
    )  # fmt: skip
    db.execute(
        insert(ProcessVersion),
        [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h", "bpmn_xml": "",
          "deployed_by": "tests"}],
    )  # fmt: skip
    common = {"process_id": "p", "version_id": 1, "child_id": 1, "state": "", "lock_version": 1}
    db.execute(
        insert(ProcessInstance),
        [{"id": n, "status": COMPLETED, "ended_at": NOW, **common} for n in range(1, FINISHED + 1)]
        + [{"id": FINISHED + n, "status": RUNNING, **common} for n in range(1, WAITING + 1)],
    )
    task = {"child_id": 1, "task_spec": "t", "title": "T", "role": "social_worker"}
    finished = [
        {"id": f"done-{n}", "instance_id": n, "state": DONE, "assignee_id": 1,
         "due_on": TODAY - timedelta(days=n % 50), **task}
        for n in range(1, FINISHED + 1)
    ]  # fmt: skip
    waiting = [  # half overdue, half falling due within a fortnight
        {"id": f"ready-{n}", "instance_id": FINISHED + n, "state": READY, "assignee_id": 1,
         "due_on": TODAY + timedelta(days=3 * n - 10), **task}
        for n in range(1, WAITING + 1)
    ]  # fmt: skip
    db.execute(insert(HumanTask), finished + waiting)
    db.commit()


VIEWS = {
    "overdue now": lambda db: manager_views.overdue_now(db, TODAY),
    "overdue, one team": lambda db: manager_views.overdue_now(db, TODAY, "North"),
    "a team's steps": lambda db: manager_views.team_tasks(db, ["North"]),
    "due in four weeks": lambda db: manager_views.falling_due(
        db, ["North"], TODAY, TODAY + timedelta(days=28)
    ),
    "dashboard's overdue counts": lambda db: performance.overdue_counts(db, TODAY),
}


def task_statements(db, view) -> tuple[object, list]:
    """What the view returns, and the statements it sent that read human_tasks."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM human_tasks" in statement or "JOIN human_tasks" in statement:
            sent.append((statement, parameters))

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", keep)
    try:
        found = view(db)
    finally:
        event.remove(bind, "before_cursor_execute", keep)
    return found, sent


def scans_of_tasks(plan: dict) -> list[tuple[str | None, int]]:
    """(index read, rows taken) of each scan of human_tasks: a bitmap heap scan's index is
    its child's."""
    if plan.get("Relation Name") == "human_tasks":
        below = plan.get("Plans", [])
        index = plan.get("Index Name") or (below[0].get("Index Name") if below else None)
        return [(index, plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0))]
    return [s for child in plan.get("Plans", []) for s in scans_of_tasks(child)]


@pytest.mark.parametrize("name", VIEWS)
def test_views_of_waiting_steps_read_only_waiting_steps(db, is_postgres, name):
    seed(db)
    found, statements = task_statements(db, VIEWS[name])
    assert found and statements, name  # the data has rows for each view
    db.rollback()
    connection = db.connection()
    if is_postgres:
        # As autovacuum leaves a council's tables: statistics, and the finished rows' pages
        # marked all-visible, so an index holding what a query reads answers it alone.
        with db.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as other:
            other.exec_driver_sql("VACUUM ANALYZE human_tasks, process_instances")
        # A few hundred rows fit a page or two, where reading them all is cheapest; at a
        # council's size it is not. Take sequential scans away, as a big table's plan would.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        # A few rows are as cheap to find by the index led by the task's state; at a decade's
        # size the planner takes the waiting steps' own index (issue 28's plans). Set the
        # other aside, in this transaction only, so the plan shows what the index alone does.
        connection.exec_driver_sql(f"DROP INDEX {STATE_LED}")
    for statement, parameters in statements:
        if is_postgres:
            explained = connection.exec_driver_sql(
                f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
            ).scalar()
            plan = (explained if isinstance(explained, list) else json.loads(explained))[0]
            scans = scans_of_tasks(plan["Plan"])
            assert scans and all(index == READY_DUE for index, _rows in scans), (name, scans)
            assert sum(rows for _index, rows in scans) <= WAITING, (name, scans)
        else:
            lines = [
                r[-1]
                for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            ]
            # SQLite searches an index holding the waiting steps apart: this one, or the one
            # led by the task's state; it never scans the table.
            tasks = [line for line in lines if " human_tasks " in f"{line} "]
            searched = [
                line.startswith("SEARCH") and (READY_DUE in line or "(state=?" in line)
                for line in tasks
            ]
            assert tasks and all(searched), (name, lines)
    db.rollback()
