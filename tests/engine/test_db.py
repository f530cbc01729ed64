"""Transactions: all or nothing, and only the sweep's redoable work skips waiting for the disk."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from engine import accounts
from engine.db import redo_if_lost, transaction
from engine.models import User


def test_a_transaction_that_raises_saves_nothing(db):
    with pytest.raises(RuntimeError), transaction(db):
        accounts.create_user(db, "kept", "Kept", "kept@example.invalid", ["social_worker"])
        raise RuntimeError("the step failed")
    assert db.scalars(select(User).where(User.username == "kept")).first() is None


def test_redoable_work_skips_the_disk_wait_for_its_own_transaction_only(db, db_engine):
    if db_engine.dialect.name != "postgresql":
        sent = []
        event.listen(db_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
        with transaction(db):
            redo_if_lost(db)
        assert sent == []  # SQLite has no such setting: nothing is sent
        return
    with transaction(db):
        redo_if_lost(db)
        assert db.execute(text("SHOW synchronous_commit")).scalar() == "off"
    assert db.execute(text("SHOW synchronous_commit")).scalar() == "on"
