"""What the ICPC's casework steps send to the database: nothing read twice in a step
(issue 28's CPU budget: each statement costs a request about a quarter of a millisecond).

The counts are today's; a change that adds a statement to one of these steps fails here
and should say in its commit why the statement is worth it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import OutboxMessage
from tests.engine.workflow.test_completion_statements import reads_of, statements
from tests.processes.driver import Case


@pytest.fixture
def case(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    return case


def selects(seen: list[str]) -> list[str]:
    return [sql for sql in seen if sql.startswith("SELECT")]


def test_booking_reads_the_role_and_the_conferences_once_and_not_the_outbox(case):
    task = case.ready()["book_conference"]
    with statements(case.db) as seen:
        case.do("book_conference", task=task, conference_date="2027-01-11")
    # who does business support: told of the invitations task, and reminded of it
    assert reads_of(seen, "users") == 1
    # the child's conferences' dates (none held: no review); the conference booked is the
    # one the session made in the step before (a request of its own reads it first)
    assert reads_of(seen, "conferences") == 1
    # the reminder is of a task this step made: no earlier message can carry its key
    assert reads_of(seen, "outbox") == 0
    kinds = {m.kind for m in case.db.scalars(select(OutboxMessage))}
    assert {"new_task", "reminder"} <= kinds
    assert len(selects(seen)) == 3  # 6 before: users and conferences twice, the outbox
    assert len(seen) <= 12  # 15 before (PostgreSQL batches some INSERTs: fewer)


def test_sending_the_invitations_keeps_its_statement_count(case):
    case.do("book_conference", conference_date="2027-01-11")
    case.at("2027-01-04 09:00")
    task = case.ready()["send_invitations"]
    with statements(case.db) as seen:
        case.do("send_invitations", task=task)
    assert reads_of(seen, "users") == 1  # who does business support; the staff by id are held
    # A report link sent (an agency without an account) dates the report: written with
    # the link, so the two documents read the conference's rows once (18 SELECTs before).
    assert reads_of(seen, "invitations") == 1
    assert reads_of(seen, "reports") == 1
    assert len(selects(seen)) == 10
    assert len(seen) <= 44  # 52 before


def test_the_social_workers_report_keeps_its_statement_count(case):
    case.do("book_conference", conference_date="2027-01-11")
    case.at("2027-01-04 09:00")
    case.do("send_invitations")
    case.at("2027-01-06 11:00")
    task = case.ready()["social_worker_report"]
    with statements(case.db) as seen:
        case.do("social_worker_report", task=task, report_shared_date="2027-01-06")
    assert reads_of(seen, "conferences") == 0  # the session holds it
    assert reads_of(seen, "reports") == 1
    assert len(selects(seen)) == 8
    assert len(seen) <= 18
