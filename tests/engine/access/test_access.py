"""Case access: who is connected to a child's record, and how much of it they see."""

import pytest
from sqlalchemy import event, select

from engine.access import access
from engine.casework import cases
from engine.models import teams
from engine.models.inbox import InboxFilter, inbox_page
from engine.models.instances import HumanTask, ProcessInstance
from engine.models.people import Child
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed, NotFound
from tests.conftest import START
from tests.factories import (
    complete,
    deploy_test_diagram,
    make_child,
    make_staff,
    make_user,
    ready,
    start_icpc,
    strategy_recorded,
)


@pytest.fixture
def case(db, engine):
    staff, child, instance = start_icpc(db, engine)
    return staff, child, instance


def child_filter(user):
    """The inbox's access condition, as the inbox page builds it."""
    return access.child_filter(user, ProcessInstance.child_id)


def visible(db, user):
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


# ---- the task rows' copy of their instance's child (human_tasks.child_id) ----------------


def rows_and_children(db):
    """(task id, the row's child, its instance's child) for every task row."""
    query = select(HumanTask.id, HumanTask.child_id, ProcessInstance.child_id).join(
        ProcessInstance, ProcessInstance.id == HumanTask.instance_id
    )
    return db.execute(query).all()


def test_every_task_row_a_step_makes_carries_its_workflows_child(db, engine, case):
    staff, child, instance = case
    other = make_child(db, engine, staff["sw"], given="Bo")
    cases.start_conference(db, engine, staff["sw"], other.id)
    strategy_recorded(db, engine, instance.id, staff)  # a step makes business support's task
    rows = rows_and_children(db)
    assert len(rows) == 3
    assert all(row_child == instance_child for _, row_child, instance_child in rows)
    assert db.get(HumanTask, ready(db, instance.id)["book_conference"].id).child_id == child.id


def test_a_pool_task_opens_its_own_child_to_the_pool_and_no_other(db, engine, case):
    staff, child, instance = case
    other = make_child(db, engine, staff["sw"], given="Bo")
    cases.start_conference(db, engine, staff["sw"], other.id)
    strategy_recorded(db, engine, instance.id, staff)  # business support's booking is open
    assert access.level(db, staff["bs"], child.id) is access.Level.FULL
    assert access.level(db, staff["bs"], other.id) is None
    assert visible(db, staff["bs"]) == {child.id}
    booked = ready(db, instance.id)["book_conference"]
    found = inbox_page(db, staff["bs"], InboxFilter(), START.date(), child_filter(staff["bs"]))
    assert [t.id for t in found.tasks] == [booked.id]


def test_a_task_row_with_another_childs_id_opens_that_child_not_its_own(db, engine, case):
    """Case access reads the row's copy: a wrong one would open the wrong record (so rows
    must be made right, by `tasks.sync`), and the inbox shows no task for a child it hides."""
    staff, child, instance = case
    other = make_child(db, engine, staff["sw"], given="Bo")
    strategy_recorded(db, engine, instance.id, staff)
    with transaction(db):
        ready(db, instance.id)["book_conference"].child_id = other.id
    assert visible(db, staff["bs"]) == {other.id}
    found = inbox_page(db, staff["bs"], InboxFilter(), START.date(), child_filter(staff["bs"]))
    assert found.tasks == [] and found.counts.total == 0


def test_a_workflows_child_cannot_change_once_it_has_started(db, engine, case):
    staff, _, instance = case
    other = make_child(db, engine, staff["sw"], given="Bo")
    with pytest.raises(ValueError, match="cannot be changed"):
        instance.child_id = other.id
    db.rollback()


def test_a_pool_task_of_a_moved_workflow_still_opens_its_child(db, engine, clock):
    from engine.diagrams.version_moves import Selection, VersionMoves
    from tests.engine.diagrams.test_version_moves import LATER_DEADLINE, START_DATA, deploy

    staff = make_staff(db)
    owner = make_user(db, "owner", "process_owner", team=None)
    child = make_child(db, engine, staff["sw"])
    deploy_test_diagram(db, "two_steps")
    waiting = engine.start(db, "two_steps", staff["sw"], dict(START_DATA), child_id=child.id)
    at_pool = engine.start(db, "two_steps", staff["sw"], dict(START_DATA), child_id=child.id)
    complete(db, engine, at_pool.id, "first", staff["sw"], start_date="2026-03-02")
    v2 = deploy(db, clock, owner, LATER_DEADLINE)

    chosen = Selection("two_steps", (waiting.id, at_pool.id))
    report = VersionMoves(engine).migrate(db, owner, chosen, v2.id)
    assert len(report.moved) == 2
    db.expire_all()
    assert access.level(db, staff["bs"], child.id) is access.Level.FULL  # at_pool's "second"

    complete(db, engine, waiting.id, "first", staff["sw"], start_date="2026-03-02")
    complete(db, engine, at_pool.id, "second", staff["bs"])
    db.expire_all()
    assert set(ready(db, waiting.id)) == {"second"}  # made on the new version, in the pool
    assert all(row_child == child.id for _, row_child, _ in rows_and_children(db))
    assert visible(db, staff["bs"]) == {child.id}


# ---- one statement for the child and the person's access (access.child_and_level) --------


def test_the_one_statement_decides_as_level_does_for_everyone(db, engine, case):
    """Reading the child with the connection (and a start's extras) in one statement gives
    every person the level `level` gives them, or refuses them, for every child."""
    staff, child, _ = case
    other = make_child(db, engine, make_user(db, "sw_south", "social_worker", team="South"))
    with transaction(db):
        teams.ensure(db, "South")
        listed = make_user(db, "tm_none", "team_manager", team=None)  # manages South by listing
        teams.set_managers(db, teams.by_name(db, "South"), [listed.id])
    people = [*staff.values(), listed, make_user(db, "agency", "agency_professional")]
    people.append(make_user(db, "gone", "service_manager"))
    people[-1].active = False
    for user in people:
        for child_id in (child.id, other.id):
            expected = access.level(db, user, child_id)
            try:
                found, got, values = access.child_and_level(db, user, child_id)
            except NotAllowed:
                got, found, values = None, None, None
            assert got is expected, (user.username, child_id)
            assert values in ((), None)
            assert found is None or found.id == child_id
    assert access.level(db, listed, other.id) is access.Level.FULL
    assert access.level(db, listed, child.id) is None


def test_a_start_reads_the_child_access_running_case_and_plan_at_once(db, engine, case):
    """The refusal of a second conference is decided from one statement (the running case's
    reference then comes from the instance this session holds)."""
    staff, child, instance = case
    seen = []
    listen = ("before_cursor_execute", lambda *args: seen.append(args[2]))
    event.listen(db.get_bind(), *listen)
    try:
        with pytest.raises(EngineError, match=f"in progress: case {instance.reference}"):
            cases.start_conference(db, engine, staff["sw"], child.id)
    finally:
        event.remove(db.get_bind(), *listen)
    assert len(seen) == 1
    assert "EXISTS" in seen[0] and "process_instances" in seen[0] and "plans" in seen[0]
