"""What a completion sends to the database: few statements, each row read once, new rows
written without the unit of work's batched INSERT ... RETURNING (issue 28's CPU budget).

The counts are today's; a change that adds a statement to every completion fails here and
should say in its commit why the statement is worth it."""

from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import event, select, update

from engine.models import ProcessInstance, Timer
from engine.models.timers import WAITING
from tests.factories import deploy_test_diagram, make_staff, ready
from tests.processes.driver import Case


@contextmanager
def statements(db):
    """The SQL sent on `db`'s connection while the block runs, one string each."""
    seen: list[str] = []
    bind = db.get_bind()

    def statement(_conn, _cursor, sql, *_rest):
        seen.append(" ".join(sql.split()))

    event.listen(bind, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", statement)


def reads_of(seen: list[str], table: str) -> int:
    return sum(1 for sql in seen if sql.startswith("SELECT") and f" FROM {table} " in sql + " ")


def inserts_into(seen: list[str], table: str) -> list[str]:
    return [sql for sql in seen if sql.startswith(f"INSERT INTO {table} ")]


def assert_written_plainly(seen: list[str]) -> None:
    """New task and timer rows go one short statement a row (a single one may return its
    id), never as one long multi-row INSERT that the driver parses afresh every time."""
    for sql in inserts_into(seen, "human_tasks"):
        assert "RETURNING" not in sql and "), (" not in sql
    for sql in inserts_into(seen, "timers"):
        assert "imp_sen" not in sql and "), (" not in sql


def test_a_generic_completion_reads_its_rows_once_and_writes_them_plainly(db, engine):
    staff = make_staff(db)
    deploy_test_diagram(db, "two_steps")
    instance = engine.start(
        db, "two_steps", staff["sw"], {"social_worker": "sw", "team_manager": "tm"}
    )
    task = ready(db, instance.id)["first"]
    with statements(db) as seen:
        engine.complete(db, task.id, staff["sw"], {"start_date": "2026-03-02"})
    # the task and open rows, the next task's assignee; the instance's UPDATE; the
    # outbox, task and timer INSERTs; the task done (no drafts: no DELETE), the audit
    assert reads_of(seen, "human_tasks") == 1  # the task, its instance and the other open rows
    assert reads_of(seen, "timers") == 0  # its rows mirror the workflow as loaded
    assert_written_plainly(seen)
    assert not [sql for sql in seen if sql.startswith("DELETE FROM task_drafts")]
    assert len(seen) <= 8


def test_an_icpc_step_keeps_its_statement_count(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    task = case.ready()["book_conference"]
    with statements(db) as seen:
        case.do("book_conference", task=task, conference_date="2027-01-11")
    assert reads_of(seen, "human_tasks") == 1
    assert reads_of(seen, "timers") == 0  # its rows mirror the workflow as loaded
    assert_written_plainly(seen)
    assert len(seen) <= 15  # 19 before the task rows were read once and timers not read,
    # 16 before the drafts' DELETE ran only for a task with drafts


def test_rows_not_as_the_workflow_says_are_read_and_put_right(db, engine):
    """`next_timer_at` not what the loaded workflow's timers give: the rows are not trusted
    to mirror it, so they are read, and the completion leaves them right all the same."""
    staff = make_staff(db)
    deploy_test_diagram(db, "two_steps")
    data = {"social_worker": "sw", "team_manager": "tm"}
    instance = engine.start(db, "two_steps", staff["sw"], data)
    task = ready(db, instance.id)["first"]
    db.execute(update(ProcessInstance).values(next_timer_at=datetime(2000, 1, 1, tzinfo=UTC)))
    db.commit()
    db.expire_all()
    with statements(db) as seen:
        engine.complete(db, task.id, staff["sw"], {"start_date": "2026-03-02"})
    assert reads_of(seen, "timers") == 1
    waiting = db.scalars(select(Timer.task_id).where(Timer.status == WAITING)).all()
    instance = db.get(ProcessInstance, instance.id)
    assert len(waiting) == len(set(waiting)) >= 1
    assert instance.next_timer_at.year > 2000
