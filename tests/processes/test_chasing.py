"""Every statutory step is chased: a reminder before its due date, then the team manager, then
the service manager, each once, with the "Escalated" tag on that step alone.

Each case below is driven to the moment the step is waiting; the test clock then walks past
its reminder (08:00, 2 working days before), its deadline (midnight at the end of the due
day) and 5 working days more, sweeping the timers just before and just after each instant.
The due date is read from the task row: the diagrams give the task and its timers one number.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine.models import Escalation
from engine.platform import workdays
from engine.platform.clock import LONDON
from tests.processes.driver import Case, held, invited, on_a_plan

MINUTE = timedelta(minutes=1)


def _booked(case):
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")


def _to_invite(case):
    _booked(case)
    case.at("2026-12-21 10:00")
    case.do("book_conference")


def _requests(case):
    invited(case)
    case.at("2027-01-06 11:00")
    requests = [{"kind": "withhold", "details": "Keep the mother's address from the father"}]
    case.do("social_worker_report", report_shared_date="2027-01-06", requests=requests)


def _held(case):
    held(case)


def _first_review(case):
    on_a_plan(case)


# (what drives the case there, step, reference, escalation step, what the escalation says)
ICPC, CORE, RCPC = "ICPC-000001", "CORE-GROUP-000002", "RCPC-000003"
STEPS = [
    (_booked, "book_conference", ICPC, "booking", "Booking the conference"),
    (_to_invite, "send_invitations", ICPC, "invitations", "The invitations and report requests"),
    (invited, "chair_pre_contact", ICPC, "pre_contact", "The chair's contact with the parents"),
    (_requests, "decide_requests", ICPC, "request_decisions", "The chair's decisions on requests"),
    (
        invited,
        "social_worker_report",
        ICPC,
        "report_shared",
        "The social worker's report to the parents",
    ),
    (invited, "hold_conference", ICPC, "conference_held", "The conference"),
    (_held, "decision_letter", ICPC, "decision_letter", "The decision letter and outline plan"),
    (_held, "send_minutes", ICPC, "minutes", "The conference minutes"),
    (_first_review, "core_group_meeting", CORE, "core_group", "The core group meeting"),
    (_first_review, "book_conference", RCPC, "booking", "Booking the review"),
]


def instants(due) -> list[datetime]:
    """The reminder, the first escalation and the second, as the diagrams compute them."""
    return [
        datetime.combine(workdays.add_working_days(due, -2), datetime.min.time(), LONDON)
        + timedelta(hours=8),
        datetime.combine(due + timedelta(days=1), datetime.min.time(), LONDON),
        datetime.combine(
            workdays.add_working_days(due, 5) + timedelta(days=1), datetime.min.time(), LONDON
        ),
    ]


@pytest.mark.parametrize(
    ("drive", "step", "reference", "key", "what"), STEPS, ids=[f"{s[1]}-{s[2]}" for s in STEPS]
)
def test_each_step_is_reminded_then_escalated_twice_once_each(
    db, engine, clock, drive, step, reference, key, what
):
    case = Case(db, engine, clock, reload=False)
    drive(case)
    rows = [r for r in case.all_ready(step) if r.instance.reference == reference]
    assert rows, f"{step} is not waiting"
    due = rows[0].due_on
    holders = {r.id: _holder(case, r) for r in rows}
    reminder = sorted(
        (holders[r.id], f"Due {due:%-d %B %Y}: {r.title} ({reference})") for r in rows
    )

    def reminders():
        titles = {f": {r.title} ({reference})" for r in rows}
        return sorted(m for m in case.mail("reminder") if any(m[1].endswith(t) for t in titles))

    def escalations():
        return [m for m in case.mail("escalation") if m[1] == f"Overdue: {what} ({reference})"]

    def levels():
        query = select(Escalation.level).where(
            Escalation.step == key, Escalation.instance_id == rows[0].instance_id
        )
        return sorted(case.db.scalars(query.order_by(Escalation.id)))

    overdue = f"Overdue: {what} ({reference})"
    expected = [
        (reminder, [], []),
        (reminder, [("tm", overdue)], [1]),
        (reminder, [("tm", overdue), ("sm", overdue)], [1, 2]),
    ]
    before = ([], [], [])
    for moment, after in zip(instants(due), expected, strict=True):
        if moment > case.clock.now():  # a reminder due before the step began fired in it
            clock.set(moment - MINUTE)
            case.sweep()
            assert (reminders(), escalations(), levels()) == before
            clock.set(moment + MINUTE)
            case.sweep()
        case.sweep()  # never twice
        assert (reminders(), escalations(), levels()) == after
        db.expire_all()
        level = len(after[2])
        for row in case.all_ready(step):
            if row.instance.reference == reference:
                assert row.escalation_level == level
        before = after
    # The tag is on the late step alone: no other open task of the case shows this level
    # unless its own step was escalated.
    escalated = set(
        case.db.scalars(
            select(Escalation.step).where(Escalation.instance_id == rows[0].instance_id)
        )
    )
    for other in case.ready().values():
        if other.task_spec != step and other.instance_id == rows[0].instance_id:
            assert other.escalation_level == 0 or _own_step(other.task_spec) in escalated


def _holder(case, row) -> str:
    users = {u.id: name for name, u in case.staff.items()}
    return users[row.assignee_id] if row.assignee_id else "bs"


def _own_step(task_spec: str) -> str:
    return {
        "book_conference": "booking",
        "send_invitations": "invitations",
        "chair_pre_contact": "pre_contact",
        "decide_requests": "request_decisions",
        "social_worker_report": "report_shared",
        "hold_conference": "conference_held",
        "send_minutes": "minutes",
        "core_group_meeting": "core_group",
    }.get(task_spec, task_spec)


def test_each_agency_report_is_chased_on_its_own(db, engine, clock):
    """The police report comes in on time; the GP's does not: the GP's alone is escalated,
    to the team manager then the service manager, each once."""
    case = Case(db, engine, clock, reload=True)
    invited(case)  # reports due Thursday 7 January
    rows = {r.title: r for r in case.all_ready("agency_report")}
    police, gp = rows["Agency report: Robin Hall"], rows["Agency report: Dr Asha Patel"]
    reminder_at, overdue_at, overdue2_at = instants(police.due_on)
    clock.set(reminder_at + MINUTE)
    case.sweep()
    told = sorted(who for who, subject in case.mail("reminder") if "Agency report" in subject)
    assert told == ["bs", "police"]  # each holder, of their own report
    case.at("2027-01-06 10:00")
    case.do("agency_report", task=police, actor="police")

    def escalated():
        query = select(Escalation.title, Escalation.level).where(Escalation.step == "agency_report")
        return sorted(case.db.execute(query.order_by(Escalation.id)).all())

    for moment, levels in ((overdue_at, [1]), (overdue2_at, [1, 2])):
        clock.set(moment + MINUTE)
        case.sweep()
        case.sweep()  # never twice
        assert escalated() == [("The report from Dr Asha Patel", n) for n in levels]
        subjects = [s for _who, s in case.mail("escalation") if "report from" in s]
        assert subjects == [f"Overdue: The report from Dr Asha Patel ({ICPC})"] * len(levels)
        db.expire_all()
        assert db.get(type(gp), gp.id).escalation_level == levels[-1]
    assert sorted(who for who, subject in case.mail("reminder") if "Agency report" in subject) == [
        "bs",
        "police",
    ]
