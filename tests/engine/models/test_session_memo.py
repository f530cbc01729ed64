"""A read a transaction repeats is read once, and never served once it may differ."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, insert, text, update
from sqlalchemy.orm import Session

from engine.models import User, UserRole, session_memo
from engine.models.people import users_with_role
from engine.models.teams import Team
from tests.factories import make_staff


@contextmanager
def selects(db):
    """The SELECTs sent on `db`'s connection while the block runs."""
    seen: list[str] = []
    bind = db.get_bind()

    def statement(_conn, _cursor, sql, *_rest):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append(sql)

    event.listen(bind, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", statement)


def names(users) -> list[str]:
    return [u.username for u in users]


def test_who_holds_a_role_is_read_once_in_a_transaction(db):
    make_staff(db)
    with selects(db) as seen:
        first = users_with_role(db, "business_support")
        again = users_with_role(db, "business_support")
    assert names(first) == names(again) == ["bs"]
    assert again[0] is first[0]
    assert len(seen) == 1
    again.clear()  # each caller has its own list
    assert names(users_with_role(db, "business_support")) == ["bs"]


def test_a_role_granted_in_a_later_transaction_is_seen(sessions, db):
    staff = make_staff(db)
    assert names(users_with_role(db, "business_support")) == ["bs"]
    db.commit()
    with sessions() as other, other.begin():  # another session grants it meanwhile
        other.add(UserRole(user_id=staff["sw"].id, role="business_support"))
    assert sorted(names(users_with_role(db, "business_support"))) == ["bs", "sw"]


def test_a_role_granted_after_a_rollback_or_in_the_same_transaction_is_seen(sessions, db):
    staff = make_staff(db)
    assert names(users_with_role(db, "business_support")) == ["bs"]
    db.rollback()
    with sessions() as other, other.begin():
        other.add(UserRole(user_id=staff["sw"].id, role="business_support"))
    assert sorted(names(users_with_role(db, "business_support"))) == ["bs", "sw"]
    db.add(UserRole(user_id=staff["tm"].id, role="business_support"))
    db.flush()  # the session's own write: the kept answer is dropped
    assert sorted(names(users_with_role(db, "business_support"))) == ["bs", "sw", "tm"]
    db.execute(update(User).where(User.username == "sw").values(active=False))
    assert sorted(names(users_with_role(db, "business_support"))) == ["bs", "tm"]


def test_a_write_to_another_table_keeps_the_answer_and_text_sql_drops_it(db):
    staff = make_staff(db)
    users_with_role(db, "business_support")
    db.execute(insert(Team).values(name="East"))
    with selects(db) as seen:
        users_with_role(db, "business_support")
    assert seen == []
    db.execute(
        text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'business_support')"),
        {"u": staff["sw"].id},
    )
    assert sorted(names(users_with_role(db, "business_support"))) == ["bs", "sw"]


def test_what_a_transaction_made_is_kept_through_its_writes_and_not_after(db):
    made = session_memo.remembered(db, frozenset(), ("made",), set)
    made.add("task-1")
    db.add(Team(name="East"))
    db.flush()
    db.execute(update(Team).values(name="West"))
    assert session_memo.remembered(db, frozenset(), ("made",), set) == {"task-1"}
    db.execute(text("SELECT 1"))  # text SQL drops what was read, not what was made
    assert session_memo.remembered(db, frozenset(), ("made",), set) == {"task-1"}
    db.commit()
    assert session_memo.remembered(db, frozenset(), ("made",), set) == set()


def test_a_strict_read_reads_again_while_its_tables_have_pending_changes(db):
    staff = make_staff(db)
    db.commit()
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    tables = frozenset({"users"})
    assert session_memo.remembered(db, tables, ("n",), read, strict=True) == 1
    assert session_memo.remembered(db, tables, ("n",), read, strict=True) == 1
    staff["sw"].display_name = "Renamed"  # not flushed
    assert session_memo.remembered(db, tables, ("n",), read, strict=True) == 2
    assert session_memo.remembered(db, tables, ("n",), read) == 3  # not strict: kept after
    assert session_memo.remembered(db, tables, ("n",), read) == 3


def test_a_plain_session_made_without_a_factory_drops_its_answers_too(db):
    staff = make_staff(db)
    with Session(db.get_bind()) as plain:
        assert names(users_with_role(plain, "business_support")) == ["bs"]
        plain.add(UserRole(user_id=staff["sw"].id, role="business_support"))
        plain.flush()
        assert sorted(names(users_with_role(plain, "business_support"))) == ["bs", "sw"]
        plain.rollback()
    users_with_role(db, "business_support")
    assert type(db) is not Session  # a factory's own class
    assert not event.contains(Session, "after_flush", session_memo._flushed)  # not class-wide
    assert event.contains(type(db), "after_flush", session_memo._flushed)  # its factory's
