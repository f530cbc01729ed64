"""A process owner sees the failed steps and timers each version caused, and retries timers
once the cases are on a fixed version."""

from datetime import UTC, datetime, timedelta

import pytest

from engine.diagrams import diagram_editing
from engine.diagrams.version_moves import Selection, VersionMoves
from engine.models import ProcessInstance
from engine.models.timers import FIRED, timers_of
from engine.operations import diagram_failures
from engine.platform import settings
from engine.platform.errors import EngineError, NotAllowed, StepFailed
from engine.workflow import timers
from tests.factories import TEST_DIAGRAMS, complete, make_staff, make_user

END_OF_4_MARCH = datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
CASE = {"social_worker": "sw", "team_manager": "tm", "due_date": "2026-03-04"}
RUNAWAY = (TEST_DIAGRAMS / "runaway_timer.bpmn").read_text()
FIXED = RUNAWAY.replace("n = 0\nwhile n &gt;= 0:\n    n = n + 1", "n = 1")


@pytest.fixture
def staff(db):
    people = make_staff(db)
    people["owner"] = make_user(db, "owner", "process_owner", team=None)
    return people


def failing_case(db, sessions, engine, clock, staff):
    v1, _new = diagram_editing.deploy(
        db, staff["owner"], "runaway_timer", RUNAWAY, "first", lambda key: True, clock.now()
    )
    case = engine.start(db, "runaway_timer", staff["sw"], dict(CASE))
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    with settings.using(expression_time_limit_seconds=0.1):
        timers.sweep(sessions, engine, "worker-a")
    db.expire_all()
    return v1, case


def test_a_failed_timer_is_listed_on_its_version_with_its_element_case_and_count(
    db, sessions, engine, clock, staff
):
    v1, case = failing_case(db, sessions, engine, clock, staff)
    found = diagram_failures.for_version(db, v1)
    [failure] = found.failures
    assert (failure.kind, failure.element, failure.label) == ("timer", "count", "Count for ever")
    assert "“Count for ever” (count): script over its limit" in failure.message
    assert [c.id for c in failure.cases] == [case.id]
    assert failure.last_at == END_OF_4_MARCH + timedelta(minutes=1)
    assert found.counts == {"count": 1}
    assert not found.can_retry(failure) and found.newer is None
    with pytest.raises(EngineError, match="Deploy a fixed version, move the cases to it"):
        diagram_failures.retry_timers(db, staff["owner"], v1.id, "count", clock.now())


def test_once_the_case_is_on_a_fixed_version_its_timer_is_retried_and_fires(
    db, sessions, engine, clock, staff
):
    v1, case = failing_case(db, sessions, engine, clock, staff)
    clock.advance(minutes=5)
    v2, _new = diagram_editing.deploy(
        db, staff["owner"], "runaway_timer", FIXED, "stop the loop", lambda key: True, clock.now()
    )
    assert diagram_failures.for_version(db, v1).newer.id == v2.id
    VersionMoves(engine).migrate(db, staff["owner"], Selection("runaway_timer"), v2.id)
    db.expire_all()
    assert db.get(ProcessInstance, case.id).version_id == v2.id
    found = diagram_failures.for_version(db, v2)
    [failure] = found.failures
    assert found.can_retry(failure)
    with pytest.raises(NotAllowed):
        diagram_failures.retry_timers(db, staff["tm"], v2.id, "count", clock.now())
    retried = diagram_failures.retry_timers(db, staff["owner"], v2.id, "count", clock.now())
    assert [c.id for c in retried] == [case.id]
    assert timers.sweep(sessions, engine, "worker-a").timers == 1
    db.expire_all()
    assert [t.status for t in timers_of(db, case.id)] == [FIRED]
    assert diagram_failures.for_version(db, v2).failures == []


def test_a_failed_step_is_kept_for_the_process_owner(db, engine, clock, staff):
    xml = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()
    broken = xml.replace(
        "due_date = add_working_days(start_date, 2)",
        "due_date = add_working_days(start_date, 2)\nratio = 1 / 0",
    )
    version, _new = diagram_editing.deploy(
        db, staff["owner"], "two_steps", broken, "divide", lambda key: True, clock.now()
    )
    case = engine.start(db, "two_steps", staff["sw"], {"social_worker": "sw", "team_manager": "tm"})
    with pytest.raises(StepFailed, match="division by zero"):
        complete(db, engine, case.id, "first", staff["sw"], start_date="2026-03-02")
    found = diagram_failures.for_version(db, version)
    [failure] = found.failures
    assert (failure.kind, failure.element, failure.label) == (
        "step",
        "compute_due",
        "Work out the due date",
    )
    assert "division by zero" in failure.message
    assert [c.id for c in failure.cases] == [case.id] and found.counts == {"compute_due": 1}
    assert not found.can_retry(failure)  # a person does the step again
