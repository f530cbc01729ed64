"""Rows queued as values are written when the ORM would have written them, and only then."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from engine.models import pending_rows
from engine.models.outbox import OutboxMessage
from engine.models.teams import Team
from engine.platform import db as platform_db
from engine.platform.errors import InvalidValue

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def message(key: str, **changes) -> dict:
    values = {
        "idempotency_key": key,
        "kind": "document",
        "to_user_id": None,
        "to_address": "someone@x.invalid",
        "subject": "Sent",
        "body": "A document was sent.",
        "link_path": None,
        "instance_id": None,
        "status": "pending",
        "next_attempt_at": NOW,
        "created_at": NOW,
        "attempts": 0,
    }
    return {**values, **changes}


def keys(sessions) -> list[str]:
    with sessions() as other:
        return list(other.scalars(select(OutboxMessage.idempotency_key).order_by("id")))


@contextmanager
def statements(db):
    """The writes sent on `db`'s engine while the block runs, as "INSERT table"."""
    seen: list[str] = []

    def statement(_conn, _cursor, sql, *_rest):
        if not sql.lstrip().upper().startswith("SELECT"):
            seen.append(sql.split()[0].upper() + " " + sql.split()[2].strip('"').lower())

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", statement)


def test_queued_rows_are_written_at_the_commit_in_one_insert(sessions, db):
    with statements(db) as seen:
        pending_rows.add(db, OutboxMessage, message("a"))
        pending_rows.add(db, OutboxMessage, message("b"))
        assert pending_rows.pending(db, OutboxMessage)[1]["idempotency_key"] == "b"
        assert keys(sessions) == []  # nothing sent yet
        db.commit()
    assert seen == ["INSERT outbox"]
    assert keys(sessions) == ["a", "b"]
    assert pending_rows.pending(db, OutboxMessage) == []


def test_they_follow_the_flush_of_what_the_orm_holds(db):
    """After the flush's own statements (an instance's version-checked UPDATE first)."""
    db.add(Team(name="Riverside"))
    pending_rows.add(db, OutboxMessage, message("after"))
    with statements(db) as seen:
        db.flush()
    assert seen == ["INSERT teams", "INSERT outbox"]
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_rollback_drops_them(sessions, db):
    pending_rows.add(db, OutboxMessage, message("gone"))
    db.rollback()
    db.commit()
    assert keys(sessions) == []


def test_a_savepoints_rollback_drops_only_what_was_queued_inside_it(sessions, db):
    pending_rows.add(db, OutboxMessage, message("outer"))
    savepoint = db.begin_nested()
    pending_rows.add(db, OutboxMessage, message("inner"))
    savepoint.rollback()
    db.commit()
    assert keys(sessions) == ["outer"]


def test_a_unit_that_queued_and_did_not_commit_is_rolled_back(sessions, db):
    db.scalar(select(1))  # the transaction has begun
    pending_rows.add(db, OutboxMessage, message("uncommitted"))
    assert platform_db.wrote(db)
    platform_db.finish(db)
    assert keys(sessions) == []


def test_text_too_long_for_its_column_is_refused_when_queued(db):
    with pytest.raises(InvalidValue) as refused:
        pending_rows.add(db, OutboxMessage, message("k", to_address="x" * 300))
    assert "to_address" in refused.value.fields
    assert pending_rows.pending(db, OutboxMessage) == []


def test_closing_the_session_without_a_commit_drops_them(sessions, db):
    pending_rows.add(db, OutboxMessage, message("closed"))
    db.close()
    db.commit()  # the same session, used again
    assert keys(sessions) == []
    assert pending_rows.pending(db, OutboxMessage) == []
