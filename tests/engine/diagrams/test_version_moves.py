"""Moving running instances between versions: dry run, bulk move, undo, new starts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.diagrams import diagram_editing
from engine.diagrams.version_moves import Selection, VersionMoves
from engine.models import AuditEvent, InstanceMove, ProcessInstance
from engine.models.timers import WAITING, Timer
from engine.platform.errors import EngineError, NotAllowed
from engine.workflow import serialization
from tests.factories import (
    TEST_DIAGRAMS,
    complete,
    deploy_test_diagram,
    make_staff,
    make_user,
    ready,
)

TWO_STEPS = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()
START_DATA = {"social_worker": "sw", "team_manager": "tm"}
ALL = Selection("two_steps")

# v2 drops "second" (and its late branch) and asks a team manager to review instead.
WITHOUT_SECOND = (
    TWO_STEPS.replace(
        "<bpmn:flowNodeRef>second</bpmn:flowNodeRef><bpmn:flowNodeRef>done</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>done</bpmn:flowNodeRef>",
    )
    .replace(
        "<bpmn:flowNodeRef>explain_late</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>explain_late</bpmn:flowNodeRef>",
    )
    .replace(
        '<bpmn:userTask id="second" name="Do the second step">',
        '<bpmn:userTask id="review" name="Review the start date">',
    )
    .replace('value="test/second"', 'value="test/review"')
    .replace('attachedToRef="second"', 'attachedToRef="review"')
    .replace('targetRef="second"', 'targetRef="review"')
    .replace('sourceRef="second"', 'sourceRef="review"')
)
# v3 keeps every step and gives the second step one more working day before it is late.
LATER_DEADLINE = TWO_STEPS.replace("deadline(due_date)", "deadline(add_working_days(due_date, 1))")


@pytest.fixture
def staff(db):
    people = make_staff(db)
    people["owner"] = make_user(db, "owner", "process_owner", team=None)
    return people


@pytest.fixture
def moves(engine):
    return VersionMoves(engine)


def deploy(db, clock, owner, xml, why="a change"):
    version, new = diagram_editing.deploy(
        db, owner, "two_steps", xml, why, lambda key: True, clock.now()
    )
    assert new
    return version


def start(db, engine, staff):
    return engine.start(db, "two_steps", staff["sw"], dict(START_DATA))


def at_second(db, engine, staff):
    instance = start(db, engine, staff)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    return instance


def test_new_instances_use_the_new_version_and_old_ones_stay(db, engine, clock, staff):
    v1 = deploy_test_diagram(db, "two_steps")
    old = start(db, engine, staff)
    v2 = deploy(db, clock, staff["owner"], WITHOUT_SECOND, "review instead of a second step")
    new = start(db, engine, staff)
    assert (old.version_id, new.version_id) == (v1.id, v2.id)
    complete(db, engine, new.id, "first", staff["sw"], start_date="2026-03-02")
    assert set(ready(db, new.id)) == {"review"}
    complete(db, engine, old.id, "first", staff["sw"], start_date="2026-03-02")
    assert set(ready(db, old.id)) == {"second"}
    assert db.get(ProcessInstance, old.id).version_id == v1.id


def test_dry_run_says_which_can_move_and_why_not_without_changing_anything(
    db, engine, clock, staff, moves
):
    deploy_test_diagram(db, "two_steps")
    waiting_first = start(db, engine, staff)
    waiting_second = at_second(db, engine, staff)
    states = {i: db.get(ProcessInstance, i).state for i in (waiting_first.id, waiting_second.id)}
    v2 = deploy(db, clock, staff["owner"], WITHOUT_SECOND)

    checks = {c.instance_id: c for c in moves.dry_run(db, staff["owner"], ALL, v2.id)}

    assert checks[waiting_first.id].movable
    assert checks[waiting_first.id].steps[0] == "“Record the start date” (first)"
    assert not checks[waiting_second.id].movable
    assert checks[waiting_second.id].reasons[0] == (
        "its current step “Do the second step” (second) is not in the new version"
    )
    db.expire_all()
    for instance_id, state in states.items():
        assert db.get(ProcessInstance, instance_id).state == state
    assert db.scalar(select(func.count()).select_from(InstanceMove)) == 0


def test_a_moved_instance_follows_the_new_diagram(db, engine, clock, staff, moves):
    v1 = deploy_test_diagram(db, "two_steps")
    instance = start(db, engine, staff)
    v2 = deploy(db, clock, staff["owner"], WITHOUT_SECOND)

    report = moves.migrate(db, staff["owner"], Selection("two_steps", (instance.id,)), v2.id)

    assert [c.instance_id for c in report.moved] == [instance.id] and not report.refused
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).version_id == v2.id
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    assert set(ready(db, instance.id)) == {"review"}
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migrated"))
    assert event.instance_id == instance.id and event.actor_name == "owner"
    assert event.detail["from_version_id"] == v1.id and event.detail["to_version_id"] == v2.id


def test_bulk_move_of_200_instances_moves_the_movable_and_explains_the_rest(
    db, engine, clock, staff, moves
):
    v1 = deploy_test_diagram(db, "two_steps")
    movable = [start(db, engine, staff).id for _ in range(120)]
    stuck = [at_second(db, engine, staff).id for _ in range(80)]
    v2 = deploy(db, clock, staff["owner"], WITHOUT_SECOND)

    checks = moves.dry_run(db, staff["owner"], Selection("two_steps", from_version_id=v1.id), v2.id)
    assert len(checks) == 200
    assert sorted(c.instance_id for c in checks if c.movable) == movable

    report = moves.migrate(db, staff["owner"], Selection("two_steps", from_version_id=v1.id), v2.id)

    assert sorted(c.instance_id for c in report.moved) == movable
    assert sorted(c.instance_id for c in report.refused) == stuck
    assert all("“Do the second step” (second)" in c.reasons[0] for c in report.refused)
    db.expire_all()
    versions = dict(
        db.execute(
            select(ProcessInstance.version_id, func.count()).group_by(ProcessInstance.version_id)
        ).all()
    )
    assert versions == {v1.id: 80, v2.id: 120}
    audited = select(func.count()).where(AuditEvent.action == "instance.migrated")
    assert db.scalar(audited) == 120
    # Each moved instance loads and runs on the new version.
    complete(db, engine, movable[-1], "first", staff["sw"], start_date="2026-03-02")
    assert set(ready(db, movable[-1])) == {"review"}


def test_a_filter_picks_instances_at_a_step(db, engine, clock, staff, moves):
    deploy_test_diagram(db, "two_steps")
    first = start(db, engine, staff)
    at_second(db, engine, staff)
    v2 = deploy(db, clock, staff["owner"], LATER_DEADLINE)
    checks = moves.dry_run(db, staff["owner"], Selection("two_steps", at_step="first"), v2.id)
    assert [c.instance_id for c in checks] == [first.id]


def test_a_changed_deadline_moves_the_waiting_timer_and_undo_puts_it_back(
    db, engine, clock, staff, moves
):
    v1 = deploy_test_diagram(db, "two_steps")
    instance = at_second(db, engine, staff)
    before = db.scalar(select(Timer.due_at).where(Timer.instance_id == instance.id))
    original_state = db.get(ProcessInstance, instance.id).state
    v3 = deploy(db, clock, staff["owner"], LATER_DEADLINE, "one more day")

    moves.migrate(db, staff["owner"], Selection("two_steps", (instance.id,)), v3.id)

    db.expire_all()
    after = db.scalar(
        select(Timer.due_at).where(Timer.instance_id == instance.id, Timer.status == WAITING)
    )
    assert (after - before).days == 1
    move = db.scalar(select(InstanceMove))
    assert move.from_version_id == v1.id and move.to_version_id == v3.id

    moves.revert(db, staff["owner"], move.id)

    db.expire_all()
    reverted = db.get(ProcessInstance, instance.id)
    assert reverted.version_id == v1.id and reverted.state == original_state
    assert db.scalar(select(Timer.due_at).where(Timer.instance_id == instance.id)) == before
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migration_undone"))
    with pytest.raises(EngineError, match="already been undone"):
        moves.revert(db, staff["owner"], move.id)


def test_a_move_cannot_be_undone_once_the_case_moved_on(db, engine, clock, staff, moves):
    deploy_test_diagram(db, "two_steps")
    instance = start(db, engine, staff)
    v3 = deploy(db, clock, staff["owner"], LATER_DEADLINE)
    moves.migrate(db, staff["owner"], Selection("two_steps", (instance.id,)), v3.id)
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    move = db.scalar(select(InstanceMove))
    with pytest.raises(EngineError, match="moved on since"):
        moves.revert(db, staff["owner"], move.id)


def test_ended_instances_and_the_same_version_are_not_moved(db, engine, clock, staff, moves):
    v1 = deploy_test_diagram(db, "two_steps")
    ended = start(db, engine, staff)
    engine.terminate(db, ended.id, staff["tm"], "duplicate")
    here = start(db, engine, staff)
    checks = moves.dry_run(db, staff["owner"], Selection("two_steps", (here.id,)), v1.id)
    assert checks[0].reasons == ("it is on that version already",)
    v3 = deploy(db, clock, staff["owner"], LATER_DEADLINE)
    everything = Selection("two_steps", (ended.id,), status="terminated")
    [check] = moves.dry_run(db, staff["owner"], everything, v3.id)
    assert "terminated" in check.reasons[0]


def test_only_process_owners_move_instances(db, engine, clock, staff, moves):
    v1 = deploy_test_diagram(db, "two_steps")
    with pytest.raises(NotAllowed):
        moves.dry_run(db, staff["tm"], ALL, v1.id)
    with pytest.raises(NotAllowed):
        moves.migrate(db, staff["sm"], ALL, v1.id)


def test_a_version_of_another_process_is_refused(db, engine, staff, moves):
    deploy_test_diagram(db, "two_steps")
    other = deploy_test_diagram(db, "deadline")
    with pytest.raises(EngineError, match="not a version of"):
        moves.dry_run(db, staff["owner"], ALL, other.id)


def test_moved_state_holds_no_spec(db, engine, clock, staff, moves):
    deploy_test_diagram(db, "two_steps")
    instance = start(db, engine, staff)
    v3 = deploy(db, clock, staff["owner"], LATER_DEADLINE)
    moves.migrate(db, staff["owner"], ALL, v3.id)
    db.expire_all()
    state = db.get(ProcessInstance, instance.id).state
    assert '"spec"' not in state
    workflow = serialization.loads(
        state, engine.specs.get(db, v3.id).spec, {}, engine.script_engine
    )
    assert workflow.spec is engine.specs.get(db, v3.id).spec
    assert set(ready(db, instance.id)) == {"first"}


def test_a_new_timer_that_fails_for_a_case_keeps_it_where_it_is(db, engine, clock, staff, moves):
    deploy_test_diagram(db, "two_steps")
    instance = at_second(db, engine, staff)
    # Valid on sample data, but this case has no review_date.
    v4 = deploy(
        db, clock, staff["owner"], TWO_STEPS.replace("deadline(due_date)", "deadline(review_date)")
    )
    [check] = moves.dry_run(db, staff["owner"], ALL, v4.id)
    assert (
        check.reasons[0].startswith("moving it would fail:") and "review_date" in check.reasons[0]
    )
    report = moves.migrate(db, staff["owner"], ALL, v4.id)
    assert [c.instance_id for c in report.refused] == [instance.id]
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).version_id != v4.id
