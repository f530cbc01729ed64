"""Looking people up by username: from the session's rows first, then one query."""

from __future__ import annotations

from sqlalchemy import event, select

from engine.models.people import (
    Recipient,
    User,
    recipients_with_role,
    user_ids_by_username,
    users_with_role,
)
from tests.factories import make_staff, make_user


def statements(db_engine) -> list[str]:
    sent: list[str] = []
    event.listen(db_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return sent


def test_usernames_the_session_holds_need_no_query(db, db_engine):
    staff = make_staff(db)
    sent = statements(db_engine)
    assert user_ids_by_username(db, {"sw", "chair"}) == {
        "sw": staff["sw"].id,
        "chair": staff["chair"].id,
    }
    assert sent == []


def test_the_rest_are_read_in_one_query_and_unknown_names_left_out(sessions, db_engine):
    with sessions() as setup:
        staff_ids = {name: user.id for name, user in make_staff(setup).items()}
    session = sessions()
    held = session.get(User, staff_ids["sw"])
    sent = statements(db_engine)
    found = user_ids_by_username(session, {"sw", "chair", "tm", "nobody"})
    assert found == {"sw": held.id, "chair": staff_ids["chair"], "tm": staff_ids["tm"]}
    assert len(sent) == 1
    session.close()


def test_recipients_of_a_role_are_its_accounts_as_columns_or_as_held(sessions, db_engine):
    with sessions() as setup:
        make_staff(setup)
        make_user(setup, "bs2", "business_support", team=None)
    session = sessions()
    expected = [
        (u.id, u.email, u.active, u.notify) for u in users_with_role(session, "business_support")
    ]
    session.close()
    session = sessions()
    held = session.scalars(select(User).where(User.username == "bs2")).one()
    held.email = "changed@example.invalid"  # not flushed: as the ORM query would give it
    sent = statements(db_engine)
    found = recipients_with_role(session, "business_support")
    assert recipients_with_role(session, "business_support") == found  # read once
    assert len(sent) == 1
    assert [(r.id, r.active, r.notify) for r in found] == [(i, a, n) for i, _e, a, n in expected]
    assert [r for r in found if r.id == held.id] == [held]
    assert {r.email for r in found} == {"bs@example.invalid", "changed@example.invalid"}
    assert all(isinstance(r, Recipient) for r in found if r is not held)
    session.close()
