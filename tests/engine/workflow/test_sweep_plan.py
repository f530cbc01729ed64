"""The timer sweep's claim reads only instances with a timer waiting, however many have ended.

Ten years of finished instances sit beside the running ones (issue 28): the claim must find
its rows through an index that holds live rows only, not by reading past the finished ones.
A few hundred finished rows stand in for the decade; the plan, not the clock, is checked.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, insert

from engine.models import Child, ProcessInstance
from engine.models.instances import COMPLETED, RUNNING, TIMER_DUE
from engine.models.processes import ProcessVersion
from engine.workflow import timers
from tests.conftest import truncate_all

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FINISHED, DUE = 400, 3
# Indexes whose range holds only instances waiting on a timer: the partial one, or the one led
# by status (finished instances sort apart, and their next_timer_at is cleared when they end).
PENDING_ONLY = {TIMER_DUE, "ix_process_instances_status_next_timer_at"}


def seed(db) -> None:
    truncate_all(db.get_bind())
    db.execute(insert(Child), [{"id": 1, "reference": "C1", "given_name": "A", "family_name": "B"}])
    db.execute(
        insert(ProcessVersion),
        [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h", "bpmn_xml": "",
          "deployed_by": "tests"}],
    )  # fmt: skip
    common = {"process_id": "p", "version_id": 1, "child_id": 1, "state": "", "lock_version": 1}
    finished = [
        {"id": n, "status": COMPLETED, "next_timer_at": None, "ended_at": NOW, **common}
        for n in range(1, FINISHED + 1)
    ]
    due = [
        {"id": n, "status": RUNNING, "next_timer_at": NOW - timedelta(minutes=n), **common}
        for n in range(FINISHED + 1, FINISHED + DUE + 1)
    ]
    db.execute(insert(ProcessInstance), finished + due)
    db.commit()


def the_claim(db) -> tuple[list[int], str, object]:
    """Claim as the sweep does; the ids and the claiming statement as sent to the database."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("UPDATE PROCESS_INSTANCES SET LEASE_OWNER"):
            sent.append((statement, parameters))

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", keep)
    try:
        ids = timers.claim(db, "worker-1", NOW, 60, 50)
    finally:
        event.remove(bind, "before_cursor_execute", keep)
    (statement, parameters), *_ = sent
    return ids, statement, parameters


def rows_read(plan: dict) -> int:
    """Rows the plan's scans of process_instances took from the table or an index."""
    found = 0
    if plan.get("Relation Name") == "process_instances" and "Scan" in plan["Node Type"]:
        found += plan.get("Actual Rows", 0) + plan.get("Rows Removed by Filter", 0)
    return found + sum(rows_read(child) for child in plan.get("Plans", []))


def index_names(plan: dict) -> set[str]:
    names = {plan["Index Name"]} if "Index Name" in plan else set()
    return names.union(*(index_names(child) for child in plan.get("Plans", [])))


def test_the_sweeps_claim_reads_only_instances_with_a_timer_due(db, is_postgres):
    seed(db)
    ids, statement, parameters = the_claim(db)
    assert len(ids) == DUE
    db.rollback()
    connection = db.connection()
    if is_postgres:
        connection.exec_driver_sql("ANALYZE process_instances")
        # A few hundred rows fit one page, where reading them all is cheapest; at a council's
        # size it is not. Take sequential scans away so the plan is the one a big table gets.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explained = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
        ).scalar()
        plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
        assert index_names(plan) & PENDING_ONLY
        # Each due instance is read once to choose it and once to lease it.
        assert rows_read(plan) <= 2 * DUE
    else:
        lines = [
            r[-1] for r in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
        # SQLite reads a range of an index on next_timer_at (with or without status first).
        searched = [line for line in lines if "next_timer_at<?" in line]
        assert searched and all(line.startswith("SEARCH") for line in searched), lines
        assert any(name in searched[0] for name in PENDING_ONLY), lines
        assert not any(line.startswith("SCAN process_instances") for line in lines), lines
    db.rollback()
