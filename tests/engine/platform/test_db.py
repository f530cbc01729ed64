"""Transactions: all or nothing, and only the sweep's redoable work skips waiting for the disk."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import event, make_url, select, text, update

from engine.access import accounts
from engine.models import User
from engine.platform.db import (
    KEPT,
    finish,
    make_engine,
    make_session_factory,
    redo_if_lost,
    transaction,
)


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


def endings(db_engine) -> list[str]:
    """COMMIT and ROLLBACK as the database connection sees them."""
    seen: list[str] = []
    event.listen(db_engine, "commit", lambda _conn: seen.append("commit"))
    event.listen(db_engine, "rollback", lambda _conn: seen.append("rollback"))
    return seen


def _user(sessions, username):
    with sessions() as session:
        return session.scalars(select(User).where(User.username == username)).first()


def test_postgresql_never_compiles_a_query_to_machine_code(db, db_engine, db_url):
    if db_engine.dialect.name != "postgresql":
        return  # SQLite has no such compiler
    assert db.execute(text("SHOW jit")).scalar() == "off"
    asked = make_url(db_url).update_query_dict({"options": "-c jit=on"})
    other = make_engine(asked.render_as_string(hide_password=False))  # what the URL says stands
    with other.connect() as connection:
        assert connection.execute(text("SHOW jit")).scalar() == "on"
    other.dispose()


def test_finishing_a_session_that_only_read_commits(sessions, db_engine):
    session = sessions()
    session.scalars(select(User)).all()
    seen = endings(db_engine)
    finish(session)
    assert seen[0] == "commit"


def test_finishing_after_a_commit_and_more_reading_commits_the_reads(sessions, db_engine):
    session = sessions()
    with transaction(session):
        accounts.create_user(session, "saved", "Saved", "saved@example.invalid", ["social_worker"])
    session.scalars(select(User)).all()
    seen = endings(db_engine)
    finish(session)
    assert seen[0] == "commit"
    assert _user(sessions, "saved") is not None


def test_finishing_a_session_that_flushed_without_committing_saves_nothing(sessions, db_engine):
    session = sessions()
    accounts.create_user(session, "flushed", "Flushed", "f@example.invalid", ["social_worker"])
    session.flush()
    seen = endings(db_engine)
    finish(session)
    assert seen[0] == "rollback"
    assert _user(sessions, "flushed") is None


def test_finishing_a_session_with_unflushed_changes_saves_nothing(sessions, db_engine):
    session = sessions()
    with transaction(session):
        user = accounts.create_user(
            session, "named", "Named", "n@example.invalid", ["social_worker"]
        )
    session.scalars(select(User)).all()
    user.display_name = "Renamed"
    finish(session)
    assert _user(sessions, "named").display_name == "Named"


def test_finishing_a_session_that_sent_an_update_saves_nothing(sessions, db_engine):
    session = sessions()
    with transaction(session):
        accounts.create_user(session, "kept2", "Kept", "k@example.invalid", ["social_worker"])
    session.execute(update(User).where(User.username == "kept2").values(display_name="Changed"))
    seen = endings(db_engine)
    finish(session)
    assert seen[0] == "rollback"
    assert _user(sessions, "kept2").display_name == "Kept"


def test_finishing_a_failed_unit_rolls_back_even_if_it_only_read(sessions, db_engine):
    session = sessions()
    session.scalars(select(User)).all()
    seen = endings(db_engine)
    finish(session, failed=True)
    assert seen[0] == "rollback"


def test_prepared_statements_outlive_read_only_units_on_postgresql(db_engine):
    """psycopg prepares a statement run five times, and forgets them all on a ROLLBACK."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's (PostgreSQL)")
    one_connection = make_engine(
        db_engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0
    )
    sessions = make_session_factory(one_connection)
    try:
        for _ in range(7):
            session = sessions()
            session.scalars(select(User).where(User.username == "nobody")).all()
            finish(session)
        with sessions() as session:
            prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements"))
            assert prepared.scalar() >= 1
    finally:
        one_connection.dispose()


def test_a_session_reads_a_row_once_however_often_it_is_asked_for(sessions, db_engine):
    with sessions() as session, transaction(session):
        user_id = accounts.create_user(
            session, "once", "Once", "once@example.invalid", ["social_worker"]
        ).id
    session = sessions()
    assert session.get(User, user_id).username == "once"
    gc.collect()  # nothing outside the session holds the row now
    sent = []
    event.listen(db_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    assert session.get(User, user_id).username == "once"
    assert sent == []
    session.close()
    assert session.info.get(KEPT, set()) == set()  # what it held goes with it


def test_the_instance_state_is_compressed_with_lz4_on_postgresql(db_engine):
    """Each step rewrites the state; lz4 compresses it in half pglz's time."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("column compression is PostgreSQL's")
    with db_engine.connect() as connection:
        method = connection.scalar(
            text(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = 'process_instances'::regclass AND attname = 'state'"
            )
        )
    assert method == "l"
