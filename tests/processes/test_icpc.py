"""The ICPC diagram driven through the engine with an injected clock, over Christmas 2026."""

from datetime import UTC, date, datetime

import pytest

from engine.clock import LONDON
from engine.models import ProcessInstance
from engine.models.audit import history
from tests.factories import complete, deploy_icpc, make_child, make_staff, ready


@pytest.fixture(params=["in-memory", "reload-every-step"])
def run(request, db, engine, clock):
    """Complete steps; in the reload variant the engine forgets every instance between steps."""
    staff = make_staff(db)
    deploy_icpc(db)
    clock.set(datetime(2026, 12, 18, 14, 0, tzinfo=LONDON))
    child = make_child(db, engine, staff["sw"])

    class Run:
        def __init__(self):
            self.staff, self.child = staff, child

        def start(self):
            self.instance = engine.start(
                db,
                "icpc",
                staff["sw"],
                {
                    "child_id": child.id,
                    "child_reference": child.reference,
                    "social_worker": "sw",
                    "team_manager": "tm",
                },
                child_id=child.id,
            )
            return self.instance

        def step(self, task_spec, actor, **data):
            if request.param == "reload-every-step":
                engine.cache.clear()
                db.expire_all()
            return complete(db, engine, self.instance.id, task_spec, staff[actor], **data)

        def ready(self):
            return ready(db, self.instance.id)

    return Run()


def strategy(run, outcome="icpc", **extra):
    return run.step(
        "record_strategy_discussion",
        "sw",
        strategy_discussion_date="2026-12-18",
        s47_start_date="2026-12-18",
        outcome=outcome,
        **extra,
    )


def book(run, on="2027-01-11"):
    return run.step(
        "book_conference",
        "bs",
        conference_date=on,
        conference_time="10:00",
        venue="Civic Centre",
        chair="chair",
    )


def prepare(run):
    run.step(
        "send_invitations",
        "bs",
        invitees=["parents", "police", "gp"],
        child_invited=False,
        invitations_sent_date="2027-01-04",
    )
    run.step(
        "write_social_worker_report",
        "sw",
        report_summary="Concerns and strengths.",
        shared_with_parents_date="2027-01-07",
    )
    run.step(
        "chair_pre_contact",
        "chair",
        contacted_date="2027-01-08",
        contact_method="phone",
        exclusion_requested=False,
    )


def test_the_first_task_is_the_social_workers(run):
    run.start()
    tasks = run.ready()
    assert list(tasks) == ["record_strategy_discussion"]
    assert tasks["record_strategy_discussion"].assignee_id == run.staff["sw"].id
    assert tasks["record_strategy_discussion"].due_on is None


def test_no_conference_ends_the_workflow(run):
    run.start()
    instance = strategy(run, "no_conference", no_conference_reason="Concerns not substantiated")
    assert instance.status == "completed"
    assert run.ready() == {}


def test_booking_is_due_15_working_days_after_the_strategy_discussion(run):
    run.start()
    instance = strategy(run)
    booking = run.ready()["book_conference"]
    # Friday 18 December 2026 + 15 working days, skipping 25, 28 December and 1 January.
    assert booking.due_on == date(2027, 1, 13)
    assert (booking.role, booking.assignee_id) == ("business_support", None)
    # From booking to holding the conference one deadline runs: the end of 13 January.
    assert instance.next_timer_at == datetime(2027, 1, 14, 0, 0, tzinfo=UTC)


def test_a_conference_never_booked_still_escalates_at_the_deadline(run, db, engine, clock):
    run.start()
    strategy(run)
    clock.set(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))
    assert engine.fire_timers(db, run.instance.id) is True
    assert sorted(run.ready()) == ["agree_late_reason", "book_conference"]


def test_preparation_steps_are_due_before_the_conference_date(run):
    run.start()
    strategy(run)
    book(run)
    tasks = run.ready()
    assert sorted(tasks) == ["chair_pre_contact", "send_invitations", "write_social_worker_report"]
    assert tasks["send_invitations"].due_on == date(2027, 1, 4)  # 5 working days before
    assert tasks["write_social_worker_report"].due_on == date(2027, 1, 7)  # 2 before
    assert tasks["chair_pre_contact"].due_on == date(2027, 1, 8)  # 1 before
    assert tasks["chair_pre_contact"].assignee_id == run.staff["chair"].id
    assert tasks["write_social_worker_report"].assignee_id == run.staff["sw"].id
    assert tasks["send_invitations"].role == "business_support"


def test_the_conference_held_on_time_completes_the_icpc(run, db, clock):
    run.start()
    strategy(run)
    book(run)
    clock.set(datetime(2027, 1, 8, 12, 0, tzinfo=LONDON))
    prepare(run)
    hold = run.ready()["hold_conference"]
    assert (hold.due_on, hold.assignee_id) == (date(2027, 1, 13), run.staff["chair"].id)
    instance = db.get(ProcessInstance, run.instance.id)
    # The deadline fires when 13 January 2027 ends in London.
    assert instance.next_timer_at == datetime(2027, 1, 14, 0, 0, tzinfo=UTC)
    clock.set(datetime(2027, 1, 11, 15, 0, tzinfo=LONDON))
    instance = run.step(
        "hold_conference",
        "chair",
        held_date="2027-01-11",
        quorate=True,
        decision="cp_plan",
        category="NEG",
    )
    assert instance.status == "completed"
    assert instance.next_timer_at is None
    assert run.ready() == {}


def test_a_missed_deadline_escalates_to_the_team_manager_for_a_reason(run, db, engine, clock):
    run.start()
    strategy(run)
    book(run, on="2027-01-12")
    clock.set(datetime(2027, 1, 11, 12, 0, tzinfo=LONDON))
    prepare(run)
    clock.set(datetime(2027, 1, 13, 23, 59, tzinfo=LONDON))
    assert engine.fire_timers(db, run.instance.id) is False
    clock.set(datetime(2027, 1, 14, 0, 1, tzinfo=LONDON))
    assert engine.fire_timers(db, run.instance.id) is True
    tasks = run.ready()
    assert sorted(tasks) == ["agree_late_reason", "hold_conference"]
    late = tasks["agree_late_reason"]
    assert (late.assignee_id, late.role) == (run.staff["tm"].id, "team_manager")
    assert late.due_on == date(2027, 1, 15)
    run.step(
        "agree_late_reason",
        "tm",
        late_reason="chair_unavailable",
        late_explanation="The chair was ill on the booked day.",
    )
    clock.set(datetime(2027, 1, 15, 11, 0, tzinfo=LONDON))
    instance = run.step(
        "hold_conference", "chair", held_date="2027-01-15", quorate=True, decision="cin_plan"
    )
    assert instance.status == "completed"
    actions = [e.action for e in history(db, run.instance.id)]
    assert actions.count("timers.fired") == 1
