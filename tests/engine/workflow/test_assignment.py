import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.models.task_rows import mark_completed, set_assignee
from engine.platform.errors import (
    ConcurrentUpdate,
    EngineError,
    InstanceNotActive,
    NotAllowed,
    TaskAlreadyCompleted,
)
from engine.service import HOOKS
from engine.workflow import assignment, permissions
from tests.conftest import START
from tests.factories import (
    BOOKING,
    STRATEGY,
    complete,
    deploy_test_diagram,
    make_child,
    make_staff,
    make_user,
    ready,
    start_icpc,
)


def booking(db, engine):
    staff, child, instance = start_icpc(db, engine)
    complete(db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    return staff, ready(db, instance.id)["book_conference"]


def test_of_two_claims_read_at_once_only_one_holds(db, engine):
    staff, task = booking(db, engine)
    other = make_user(db, "bs2", "business_support", team=None)
    assert set_assignee(db, task.id, staff["bs"].id, held_by=None)
    assert not set_assignee(db, task.id, other.id, held_by=None)  # read as free, lost
    db.commit()
    db.refresh(task)
    assert task.assignee_id == staff["bs"].id


def test_claim_is_for_the_tasks_role_and_unclaim_for_its_holder(db, engine):
    staff, task = booking(db, engine)
    with pytest.raises(NotAllowed):
        assignment.claim(db, staff["chair"], task.id, START)
    assert assignment.claim(db, staff["bs"], task.id, START).assignee_id == staff["bs"].id
    assert assignment.claim(db, staff["bs"], task.id, START).assignee_id == staff["bs"].id
    with pytest.raises(ConcurrentUpdate, match="already held by Bs"):
        assignment.claim(db, staff["sm"], task.id, START)
    with pytest.raises(NotAllowed):
        assignment.unclaim(db, staff["sm"], task.id, START)
    assert assignment.unclaim(db, staff["bs"], task.id, START).assignee_id is None


def test_assignment_is_for_managers_and_holders_of_the_role(db, engine):
    staff, task = booking(db, engine)
    with pytest.raises(NotAllowed):
        assignment.assign(db, staff["bs"], task.id, "bs", START, hooks=HOOKS)
    with pytest.raises(EngineError, match="does not hold the role"):
        assignment.assign(db, staff["tm"], task.id, "sw", START, hooks=HOOKS)
    with pytest.raises(EngineError, match="no active user"):
        assignment.assign(db, staff["tm"], task.id, "ghost", START, hooks=HOOKS)
    assert (
        assignment.assign(db, staff["tm"], task.id, "bs", START, hooks=HOOKS).assignee_id
        == staff["bs"].id
    )


def test_a_done_task_cannot_change_hands(db, engine):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    complete(db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    with pytest.raises(TaskAlreadyCompleted):
        assignment.claim(db, staff["sw"], task.id, START)


def test_a_task_given_by_the_diagram_cannot_be_dropped_into_the_pool(db, engine):
    staff, child, instance = start_icpc(db, engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    assert task.assignee_id == staff["sw"].id
    assert engine.named_by_diagram(db, [task]) == {task.id}
    with pytest.raises(NotAllowed, match="ask a manager to pass it on"):
        engine.unclaim(db, staff["sw"], task.id)
    # Only a manager passes it on; the holder cannot, and the new holder cannot drop it either.
    make_user(db, "sw2", "social_worker", team="North")
    with pytest.raises(NotAllowed, match="Only a manager"):
        engine.pass_on(db, staff["sw"], task.id, "sw2")
    engine.pass_on(db, staff["tm"], task.id, "sw2")
    assert task.assignee.username == "sw2"
    with pytest.raises(NotAllowed, match="ask a manager"):
        engine.unclaim(db, task.assignee, task.id)
    assert not permissions.can_unclaim(task.assignee, task, named=True)
    assert not permissions.can_reassign(task.assignee, task, named=True)
    assert permissions.can_reassign(staff["tm"], task, named=True)


def test_a_pool_task_passed_on_can_go_back_to_the_pool(db, engine):
    staff, child, instance = start_icpc(db, engine)
    complete(db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    task = ready(db, instance.id)["book_conference"]
    assert engine.named_by_diagram(db, [task]) == set()
    make_user(db, "bs2", "business_support", team=None)
    engine.claim(db, staff["bs"], task.id)
    engine.pass_on(db, staff["bs"], task.id, "bs2")
    assert permissions.can_unclaim(task.assignee, task)
    assert engine.unclaim(db, task.assignee, task.id).assignee_id is None


def test_a_named_step_that_named_nobody_went_to_the_pool_and_can_go_back(db, engine):
    """The diagram names `social_worker` for the step, but the case named no one: the task
    went to the social workers' pool, and whoever claimed it from there may give it back."""
    staff = make_staff(db)
    deploy_test_diagram(db, "two_steps")
    child = make_child(db, engine, staff["sw"])
    data = {"social_worker": None, "team_manager": "tm"}
    instance = engine.start(db, "two_steps", staff["sw"], data, child_id=child.id)
    task = ready(db, instance.id)["first"]
    assert task.assignee_id is None and engine.named_by_diagram(db, [task]) == {task.id}
    engine.claim(db, staff["sw"], task.id)
    assert engine.unclaim(db, staff["sw"], task.id).assignee_id is None


# ---- the inbox's claim, give back and pass on (the same services) -------------------------


@pytest.fixture
def booking_case(db, engine):
    staff, child, instance = start_icpc(db, engine)
    complete(db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    staff["bs2"] = make_user(db, "bs2", "business_support", team=None)
    return staff, instance, ready(db, instance.id)["book_conference"]


def test_claim_then_give_back_changes_only_the_holder(db, engine, clock, booking_case):
    staff, instance, task = booking_case
    version = instance.lock_version
    assignment.claim(db, staff["bs"], task.id, clock.now())
    assert task.assignee_id == staff["bs"].id
    assignment.unclaim(db, staff["bs"], task.id, clock.now())
    assert task.assignee_id is None
    db.refresh(instance)
    assert instance.lock_version == version and instance.status == "running"
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task.id)).all()
    assert actions == ["task.claimed", "task.unclaimed"]


def test_the_second_of_two_simultaneous_claims_loses(db, clock, booking_case, sessions):
    staff, instance, task = booking_case
    other = sessions()
    stale = other.get(type(task), task.id)  # read before the first claim commits
    assignment.claim(db, staff["bs"], task.id, clock.now())
    # Refused either way: the pool no longer holds it (so no access), or the update finds it
    # changed; what matters is one holder.
    with pytest.raises((ConcurrentUpdate, NotAllowed)):
        assignment.claim(other, staff["bs2"], stale.id, clock.now())
    other.close()
    db.refresh(task)
    assert task.assignee_id == staff["bs"].id


def test_pass_on_rules(db, clock, booking_case):
    staff, instance, task = booking_case
    with pytest.raises(NotAllowed):  # neither holder nor manager
        assignment.pass_on(db, staff["bs2"], task.id, "bs", clock.now(), hooks=HOOKS)
    with pytest.raises(EngineError, match="does not hold the role"):
        assignment.pass_on(db, staff["tm"], task.id, "chair", clock.now(), hooks=HOOKS)
    with pytest.raises(EngineError, match="no active user"):
        assignment.pass_on(db, staff["tm"], task.id, "nobody", clock.now(), hooks=HOOKS)
    with pytest.raises(EngineError, match="Choose a colleague"):
        assignment.pass_on(db, staff["tm"], task.id, "", clock.now(), hooks=HOOKS)
    _, colleague = assignment.pass_on(db, staff["tm"], task.id, "bs2", clock.now(), hooks=HOOKS)
    assert colleague.username == "bs2" and task.assignee_id == staff["bs2"].id
    with pytest.raises(ConcurrentUpdate):
        assignment.pass_on(db, staff["bs2"], task.id, "bs2", clock.now(), hooks=HOOKS)
    assignment.pass_on(
        db, staff["bs2"], task.id, "bs", clock.now(), hooks=HOOKS
    )  # the holder passes it on
    assert task.assignee_id == staff["bs"].id


def test_a_manager_of_another_team_cannot_pass_on_a_task_of_a_case_they_cannot_see(
    db, clock, booking_case
):
    staff, instance, task = booking_case
    south = make_user(db, "tm_south", "team_manager", team="South")
    with pytest.raises(NotAllowed):
        assignment.pass_on(db, south, task.id, "bs2", clock.now(), hooks=HOOKS)


def test_a_stopped_workflow_task_cannot_change_hands(db, engine, clock, booking_case):
    staff, instance, task = booking_case
    engine.terminate(db, instance.id, staff["tm"], "Opened in error")
    with pytest.raises(InstanceNotActive):  # the manager still sees the case
        assignment.pass_on(db, staff["tm"], task.id, "bs2", clock.now(), hooks=HOOKS)


# ---- every change to a task row is conditional on what it was decided from ---------------


def test_a_completion_read_before_a_claim_finds_the_row_changed(db, booking_case):
    staff, instance, task = booking_case
    assert set_assignee(db, task.id, staff["bs"].id, held_by=None)
    assert not mark_completed(db, task.id, None, staff["bs2"].id, START)  # read as free, lost
    db.commit()
    db.refresh(task)
    assert (task.state, task.assignee_id, task.completed_by_id) == ("ready", staff["bs"].id, None)


def test_a_claim_committed_while_a_completion_runs_wins_and_nothing_is_saved(
    db, engine, booking_case, sessions
):
    """bs2 reads the pool task and runs the step; bs claims it (another connection, committed)
    before bs2's step saves: bs2 is told, and nothing of the step is kept."""
    staff, instance, task = booking_case
    version = instance.lock_version

    def claimed_meanwhile(row):
        other = sessions()
        assignment.claim(other, staff["bs"], row.id, START)
        other.close()
        return dict(BOOKING)

    with pytest.raises(ConcurrentUpdate, match="was taken by Bs at the same moment"):
        engine.complete(db, task.id, staff["bs2"], {}, validate=claimed_meanwhile)
    db.expire_all()
    assert (task.state, task.assignee_id) == ("ready", staff["bs"].id)
    assert db.get(type(instance), instance.id).lock_version == version
    assert list(ready(db, instance.id)) == ["book_conference"]
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task.id)).all()
    assert actions == ["task.claimed"]


def test_a_hand_back_committed_while_the_holder_completes_wins(db, engine, booking_case, sessions):
    staff, instance, task = booking_case
    assignment.claim(db, staff["bs"], task.id, START)

    def handed_back_meanwhile(row):
        other = sessions()
        assignment.unclaim(other, staff["bs"], row.id, START)
        other.close()
        return dict(BOOKING)

    with pytest.raises(ConcurrentUpdate, match="handed back to its pool at the same moment"):
        engine.complete(db, task.id, staff["bs"], {}, validate=handed_back_meanwhile)
    db.expire_all()
    assert (task.state, task.assignee_id) == ("ready", None)


@pytest.mark.parametrize("change", ["claim", "unclaim", "assign"])
def test_a_change_read_before_a_completion_is_told_it_was_completed(
    db, engine, booking_case, sessions, change
):
    """The other session keeps the rows it read before the completion committed, so its
    checks pass on the stale copies and only the conditional UPDATE can refuse."""
    staff, instance, task = booking_case
    if change == "unclaim":
        assignment.claim(db, staff["bs"], task.id, START)
    other = sessions()
    stale = other.get(type(task), task.id)
    other.get(type(instance), instance.id)
    engine.complete(db, task.id, staff["bs"], dict(BOOKING))
    with pytest.raises(TaskAlreadyCompleted, match="completed by Bs"):
        if change == "claim":
            assignment.claim(other, staff["bs2"], stale.id, START)
        elif change == "unclaim":
            assignment.unclaim(other, staff["bs"], stale.id, START)
        else:
            assignment._give(other, staff["tm"], stale, staff["bs2"], START, HOOKS)
    other.close()
    db.expire_all()
    assert (task.state, task.completed_by_id) == ("completed", staff["bs"].id)
    assert task.assignee_id == (staff["bs"].id if change == "unclaim" else None)
