"""Looking people up by username: from the session's rows first, then one query."""

from __future__ import annotations

from sqlalchemy import event, select

from engine.models.people import (
    Recipient,
    User,
    UserRole,
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


def test_roles_are_built_once_per_loaded_rows(db):
    user = make_user(db, "pat", "social_worker")
    assert user.roles is user.roles == frozenset({"social_worker"})


def test_roles_follow_every_change_to_the_role_rows(db, sessions):
    user = make_user(db, "pat", "social_worker")
    assert user.roles == {"social_worker"}
    user.role_rows.append(UserRole(role="chair"))
    assert user.roles == {"social_worker", "chair"}
    UserRole(role="team_manager", user=user)  # through the row's side of the relationship
    assert user.roles == {"social_worker", "chair", "team_manager"}
    user.role_rows.remove(next(r for r in user.role_rows if r.role == "chair"))
    assert user.roles == {"social_worker", "team_manager"}
    user.role_rows[0] = UserRole(role="business_support")  # replaced in place: same length
    assert user.roles == {"business_support", "team_manager"}
    next(r for r in user.role_rows if r.role == "team_manager").role = "manager"
    assert user.roles == {"business_support", "manager"}
    user.role_rows = [UserRole(role="chair")]
    assert user.roles == {"chair"}
    db.rollback()  # undone: the rows are read again
    assert user.roles == {"social_worker"}


def test_roles_follow_a_row_renamed_whose_user_was_not_loaded(db, sessions):
    user_id = make_user(db, "pat", "social_worker").id
    with sessions() as session:
        user = session.get(User, user_id)
        assert user.roles == {"social_worker"}
        row = session.get(UserRole, (user_id, "social_worker"))
        row.__dict__.pop("user", None)  # as a row read on its own holds it
        row.role = "chair"
        assert user.roles == {"chair"}


def test_roles_written_by_another_session_are_seen_once_refreshed(db, sessions):
    user = make_user(db, "pat", "social_worker")
    assert user.roles == {"social_worker"}
    with sessions() as other:
        other.add(UserRole(user_id=user.id, role="chair"))
        other.commit()
    db.refresh(user)
    assert user.roles == {"social_worker", "chair"}
    db.add(UserRole(user_id=user.id, role="manager"))
    db.flush()
    db.expire(user, ["role_rows"])
    assert user.roles == {"social_worker", "chair", "manager"}
