"""Case access: who is connected to a child's record, and how much of it they see."""

import pytest

from engine import access
from engine.errors import NotAllowed, NotFound
from engine.models.people import Child
from tests.factories import make_child, make_user, start_icpc


@pytest.fixture
def case(db, engine):
    staff, child, instance = start_icpc(db, engine)
    return staff, child, instance


def visible(db, user):
    from sqlalchemy import select

    query = select(Child.id).where(access.child_filter(user, Child.id))
    return set(db.scalars(query))


def test_the_allocated_social_worker_and_their_team_manager_see_the_child(db, case):
    staff, child, _ = case
    assert access.level(db, staff["sw"], child.id) is access.Level.FULL
    assert access.level(db, staff["tm"], child.id) is access.Level.FULL
    assert visible(db, staff["sw"]) == {child.id}


def test_a_social_worker_of_the_same_team_without_a_link_sees_nothing(db, case):
    _, child, _ = case
    other = make_user(db, "sw2", "social_worker")
    assert access.level(db, other, child.id) is None
    assert visible(db, other) == set()
    with pytest.raises(NotAllowed):
        access.require_child(db, other, child.id)


def test_a_team_manager_of_another_team_sees_nothing(db, case):
    _, child, _ = case
    south = make_user(db, "tm2", "team_manager", team="South")
    assert not access.can_view_child(db, south, child.id)


def test_service_managers_see_every_child(db, case, engine):
    staff, child, _ = case
    second = make_child(db, engine, staff["sw"], given="Bo")
    assert visible(db, staff["sm"]) >= {child.id, second.id}
    assert access.level(db, staff["sm"], second.id) is access.Level.FULL


def test_a_role_pool_task_grants_access_while_it_is_open(db, case):
    staff, child, instance = case
    # The first step belongs to the social worker; business support has nothing yet.
    assert access.level(db, staff["bs"], child.id) is None


def test_an_unknown_child_is_not_found(db, case):
    staff, _, _ = case
    with pytest.raises(NotFound):
        access.require_child(db, staff["sw"], 999_999)


def test_an_inactive_account_sees_nothing(db, case):
    staff, child, _ = case
    staff["sm"].active = False
    assert access.level(db, staff["sm"], child.id) is None
