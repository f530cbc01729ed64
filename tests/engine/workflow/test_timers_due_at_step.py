"""A timer already due when its step starts it fires inside that step, never waiting: it is
recorded, audited and acted on there, once, like one the sweep fires."""

from datetime import timedelta

from prometheus_client import REGISTRY
from sqlalchemy import select

from engine.models import AuditEvent, Escalation, OutboxMessage, Timer
from engine.models.timers import FIRED, WAITING
from engine.workflow import timers
from tests.engine.workflow.test_timers import END_OF_4_MARCH, END_OF_11_MARCH, start_deadline
from tests.factories import complete, deploy_test_diagram, make_child, ready


def fired_rows(db, instance_id):
    query = select(Timer).where(Timer.instance_id == instance_id).order_by(Timer.due_at)
    return [(r.element, r.status, r.fired_at, r.fired_by) for r in db.scalars(query)]


def fired_audits(db, instance_id):
    query = select(AuditEvent).where(
        AuditEvent.instance_id == instance_id, AuditEvent.action == "timers.fired"
    )
    return [(e.actor_name, e.detail) for e in db.scalars(query)]


def test_a_timer_due_when_the_instance_starts_fires_in_the_start_once(
    db, sessions, engine, clock, staff
):
    clock.set(END_OF_4_MARCH + timedelta(hours=9))  # the step starts after its deadline
    instance = start_deadline(db, engine, staff)
    now = clock.now()
    assert fired_rows(db, instance.id) == [
        ("step_overdue", FIRED, now, None),
        ("step_expired", WAITING, None, None),
    ]
    assert fired_audits(db, instance.id) == [("system", {"timers": ["Overdue"], "by": None})]
    step = ready(db, instance.id)["step"]
    assert step.escalation_level == 1  # the task created by the very step that escalated
    [mail] = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "escalation"))
    assert mail.to_user_id == staff["tm"].id
    assert instance.next_timer_at == END_OF_11_MARCH
    assert timers.sweep(sessions, engine, "a").timers == 0  # never again
    db.expire_all()
    assert len(fired_audits(db, instance.id)) == 1
    assert len(db.scalars(select(Escalation)).all()) == 1


def test_timers_due_at_the_start_are_recorded_in_due_order_with_what_they_cancel(
    db, sessions, engine, clock, staff
):
    clock.set(END_OF_11_MARCH + timedelta(minutes=1))  # both timers are past at the start
    instance = start_deadline(db, engine, staff)
    now = clock.now()
    assert fired_rows(db, instance.id) == [
        ("step_overdue", FIRED, now, None),
        ("step_expired", FIRED, now, None),
    ]
    assert fired_audits(db, instance.id) == [
        ("system", {"timers": ["Overdue", "Expired"], "by": None})
    ]
    assert list(ready(db, instance.id)) == ["take_over"]  # the interrupting one took over
    assert instance.next_timer_at is None
    assert timers.sweep(sessions, engine, "a").timers == 0


def counted(process_id: str) -> tuple[float, float, float]:
    """Prometheus's timers fired, lags observed and their sum, for one process."""
    labels = {"process": process_id}
    return tuple(
        REGISTRY.get_sample_value(name, labels) or 0.0
        for name in (
            "cpc_timers_fired_total",
            "cpc_timer_lag_seconds_count",
            "cpc_timer_lag_seconds_sum",
        )
    )


def test_timers_fired_inside_a_step_are_counted_like_those_the_sweep_fires(
    db, sessions, engine, clock, staff
):
    """In the metrics with their lag, once the step commits: a start and a completion."""
    clock.set(END_OF_4_MARCH + timedelta(hours=9))
    fired, lags, lag_sum = counted("deadline")
    start_deadline(db, engine, staff)  # its step starts nine hours past its deadline
    assert counted("deadline") == (fired + 1, lags + 1, lag_sum + 9 * 3600)

    deploy_test_diagram(db, "two_steps")
    child = make_child(db, engine, staff["sw"])
    data = {"social_worker": "sw", "team_manager": "tm"}
    instance = engine.start(db, "two_steps", staff["sw"], data, child_id=child.id)
    fired, lags, lag_sum = counted("two_steps")
    # The second step is due two working days after 2 March: its deadline passed on the 5th.
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-03-02")
    assert counted("two_steps") == (fired + 1, lags + 1, lag_sum + 9 * 3600)
    assert set(ready(db, instance.id)) == {"second", "explain_late"}  # made in one step
    assert timers.sweep(sessions, engine, "a").timers == 0
    assert counted("two_steps")[0] == fired + 1
