"""A family conference's shared steps are done once, through the real diagrams (issue 22).

Booking the family conference (or joining a sibling to a booked one) completes each
sibling's own "Book the conference" in the same transaction, through the engine's own
completion; the family's invitations and the chair's pre-contact complete each sibling's
the same way. Nothing is left in a sibling's inbox to do twice.
"""

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import family_conferences
from engine.models import AuditEvent, Conference, Escalation, HumanTask
from engine.models.conferences import invitations_for
from engine.models.inbox import InboxFilter, inbox_page
from engine.models.instances import DONE
from engine.models.timers import WAITING, timers_of
from engine.platform.errors import InstanceNotActive, InvalidValue, TaskAlreadyCompleted

REASON = "The family asked for one meeting for all three children."
FAMILY = ["Grace Okoye", "Tom Okoye", "Robin Hall", "Dr Asha Patel"]


def conference_of(case) -> Conference:
    query = select(Conference).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def join(case, sibling, reason=None):
    return family_conferences.join(
        case.db, case.engine, case.staff["bs"], conference_of(sibling).id,
        conference_of(case).id, reason,
    )  # fmt: skip


def done(case, sibling, task_spec: str) -> HumanTask:
    query = select(HumanTask).where(
        HumanTask.instance_id == conference_of(sibling).instance_id,
        HumanTask.task_spec == task_spec,
    )
    return case.db.scalars(query).one()


def shared_events(case, sibling) -> list[dict]:
    query = select(AuditEvent).where(
        AuditEvent.action == "task.completed", AuditEvent.child_id == sibling.child.id
    )
    return [
        {**e.detail, "by": e.actor_name}
        for e in case.db.scalars(query.order_by(AuditEvent.id))
        if e.detail.get("shared")
    ]


def start(case, *siblings):
    """Each child's strategy discussion on 18 December, linked as brothers and sisters."""
    case.at("2026-12-18 14:00")
    for child in (case, *siblings):
        child.start()
        child.do("record_strategy_discussion")
        if child is not case:
            family_conferences.link_siblings(
                case.db, case.staff["sw"], case.clock.now(), case.child.id, child.child.id
            )
    case.at("2026-12-21 10:00")


def test_joining_a_booked_conference_books_the_sibling_s_own_step(case):
    ada = case.sibling("Ada")
    start(case, ada)
    case.do("book_conference")
    assert "book_conference" in ada.ready()
    join(case, ada)

    row = done(case, ada, "book_conference")
    assert (row.state, row.completed_by_id) == (DONE, case.staff["bs"].id)
    data = case.engine.instance_data(case.db, row.instance)
    assert (data["conference_date"], data["venue"], data["chair"]) == (
        "2027-01-11",
        "Civic Centre, room 2",
        "chair",
    )
    assert data["report_due_date"]  # worked out by her own step, as if staff had booked
    assert shared_events(case, ada) == [
        {
            "task": "book_conference",
            "title": "Book the conference",
            "shared": "family conference",
            "from_child": case.child.reference,
            "from_task": "book_conference",
            "from_conference_id": conference_of(case).id,
            "by": "bs",
        }
    ]
    # Her booking step's reminders and escalations stopped; her next step's run.
    timers = timers_of(case.db, row.instance_id)
    waiting = {t.element for t in timers if t.status == WAITING}
    assert not any(e.startswith("book_conference") for e in waiting)
    assert "send_invitations_overdue" in waiting and "conference_overdue" in waiting
    assert "send_invitations" in ada.ready()

    # Nothing left for business support to do twice: not in the inbox, a second try refused.
    inbox = inbox_page(case.db, case.staff["bs"], InboxFilter(child="Ada"), date(2026, 12, 21))
    assert [t.task_spec for t in inbox.tasks] == ["send_invitations"]
    with pytest.raises(TaskAlreadyCompleted, match="already been completed"):
        case.engine.complete(case.db, row.id, case.staff["bs"], {})
    case.at("2027-01-06 09:00")  # past the booking's own deadline: no escalation for Ada
    case.sweep()
    escalated = case.db.scalars(
        select(Escalation.step).where(Escalation.instance_id == row.instance_id)
    ).all()
    assert "invitations" in escalated and "booking" not in escalated


def test_booking_a_family_conference_books_every_child_s_step_at_once(case):
    """Three siblings joined before anyone booked: one booking does all three children's."""
    ada, femi = case.sibling("Ada"), case.sibling("Femi")
    start(case, ada, femi)
    join(case, ada)
    join(case, femi)
    with pytest.raises(InvalidValue, match="after the date the conference is due"):
        case.do("book_conference", conference_date="2027-01-29")  # too late for all three
    assert "book_conference" in ada.ready()  # nothing of the refused booking was kept
    case.do("book_conference")
    for sibling in (ada, femi):
        assert done(case, sibling, "book_conference").state == DONE
        assert conference_of(sibling).scheduled_on == date(2027, 1, 11)
        assert [e["from_child"] for e in shared_events(case, sibling)] == [case.child.reference]
    # One set of invitations: Ada's and Femi's own steps are done with the family's, and
    # each agency is asked for a report on each child.
    case.at("2027-01-04 09:00")
    case.do("send_invitations")
    for sibling in (ada, femi):
        assert not {"book_conference", "send_invitations"} & set(sibling.ready())
        invited = [i.person.name for i in invitations_for(case.db, conference_of(sibling).id)]
        assert invited == FAMILY
        assert len(sibling.all_ready("agency_report")) == 2
        assert [e["task"] for e in shared_events(case, sibling)] == [
            "book_conference",
            "send_invitations",
        ]
    # One pre-contact: the chair's call to the parents does each child's step; the
    # conference itself (decision, category, plan) stays each child's own.
    case.at("2027-01-08 11:00")
    case.do("chair_pre_contact", chair_requests=[{"kind": "exclude", "details": "Tom asks"}])
    for sibling in (ada, femi):
        assert "chair_pre_contact" not in sibling.ready()
        data = case.engine.task_data(case.db, done(case, sibling, "chair_pre_contact"))
        assert (data["pre_contact_date"], data["pre_contact_method"]) == ("2027-01-08", "phone")
        assert data["chair_requests"] == []  # a request stays on the child it was raised for
    for child in (case, ada, femi):
        assert "hold_conference" in child.ready()


def test_joining_after_the_invitations_went_out_does_both_steps(case):
    ada = case.sibling("Ada")
    start(case, ada)
    case.do("book_conference")
    case.at("2027-01-04 09:00")
    case.do("send_invitations")
    case.at("2027-01-05 11:00")
    join(case, ada)
    assert not {"book_conference", "send_invitations"} & set(ada.ready())
    invitations = invitations_for(case.db, conference_of(ada).id)
    assert [i.person.name for i in invitations] == FAMILY
    assert {i.invited_on for i in invitations} == {date(2027, 1, 5)}  # her letters go today
    assert [e["task"] for e in shared_events(case, ada)] == ["book_conference", "send_invitations"]
    assert len(ada.all_ready("agency_report")) == 2


def test_a_case_on_hold_cannot_join_and_nothing_of_the_join_is_kept(case):
    ada = case.sibling("Ada")
    start(case, ada)
    case.do("book_conference")
    instance = conference_of(ada).instance_id
    case.engine.suspend(case.db, instance, case.staff["tm"], "Checking the family's address")
    with pytest.raises(InstanceNotActive):
        join(case, ada)
    assert conference_of(ada).group_id is None and conference_of(ada).booked_at is None
    case.engine.resume(case.db, instance, case.staff["tm"])
    join(case, ada)
    assert "book_conference" not in ada.ready()
