"""Looking people up by username: from the session's rows first, then one query."""

from __future__ import annotations

from sqlalchemy import event

from engine.models.people import User, user_ids_by_username
from tests.factories import make_staff


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
