"""The initial conference, driven through the engine over Christmas 2026 (three bank holidays)."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from engine.models import (
    CasePerson,
    Conference,
    ConferenceRequest,
    Invitation,
    LateStep,
    Plan,
    PlanAction,
    Report,
)


def conference(case, kind="icpc") -> Conference:
    query = select(Conference).where(Conference.child_id == case.child.id, Conference.kind == kind)
    return case.db.scalars(query).one()


def booked(case, on="2027-01-11"):
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    case.do("book_conference", conference_date=on)


def prepared(case, **invitations):
    booked(case)
    case.at("2027-01-04 09:00")
    case.do("send_invitations", **invitations)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    case.at("2027-01-07 11:00")
    case.do("social_worker_report")
    case.at("2027-01-08 11:00")
    case.do("chair_pre_contact")


def test_strategy_discussion_starts_the_15_working_day_clock(case):
    case.at("2026-12-18 14:00")
    case.start()
    first = case.ready()["record_strategy_discussion"]
    assert first.assignee_id == case.staff["sw"].id
    instance = case.do("record_strategy_discussion")
    row = conference(case)
    # Friday 18 December 2026 + 15 working days, skipping 25 and 28 December and 1 January.
    assert row.due_on == date(2027, 1, 13)
    assert (row.kind, row.strategy_discussion_date, row.s47_start_date) == (
        "icpc",
        date(2026, 12, 18),
        date(2026, 12, 18),
    )
    booking = case.ready()["book_conference"]
    assert (booking.role, booking.assignee_id) == ("business_support", None)
    assert booking.due_on == date(2026, 12, 29)  # 10 working days before the deadline
    # The first timer is the reminder: 08:00 on 11 January, 2 working days before the deadline.
    assert instance.next_timer_at == datetime(2027, 1, 11, 8, 0, tzinfo=UTC)


def test_no_conference_ends_the_workflow_without_a_conference_row(case):
    case.at("2026-12-18 14:00")
    case.start()
    instance = case.do(
        "record_strategy_discussion", outcome="no_conference", no_conference_reason="Unfounded"
    )
    assert instance.status == "completed"
    assert case.ready() == {}
    assert case.db.scalars(select(Conference)).all() == []


def test_invitations_create_people_and_one_report_task_per_agency(case):
    booked(case)
    case.at("2027-01-04 09:00")
    case.do("send_invitations", parent_report_expected=True, child_invited=True, advocate="Jo Bell")
    tasks = case.ready()
    assert sorted(tasks) == [
        "agency_report",
        "chair_pre_contact",
        "hold_conference",
        "parent_report",
        "social_worker_report",
    ]
    reports = case.all_ready("agency_report")
    assert [(t.title, t.assignee_id, t.due_on) for t in reports] == [
        ("Agency report: Dr Asha Patel", None, date(2027, 1, 7)),
        ("Agency report: Robin Hall", case.staff["police"].id, date(2027, 1, 7)),
    ]
    # The social worker's report reaches the parents 2 working days before the conference.
    assert tasks["social_worker_report"].due_on == date(2027, 1, 7)
    assert tasks["chair_pre_contact"].due_on == date(2027, 1, 8)
    assert tasks["hold_conference"].due_on == date(2027, 1, 13)
    assert tasks["hold_conference"].assignee_id == case.staff["chair"].id
    roles = {i.role for i in case.db.scalars(select(Invitation))}
    assert roles == {"parent", "child", "advocate", "professional"}
    people = {(p.kind, p.name) for p in case.db.scalars(select(CasePerson))}
    assert ("professional", "Robin Hall") in people and ("family", "Grace Okoye") in people
    assert [(r.kind, r.agency, r.submitted_on) for r in case.db.scalars(select(Report))] == [
        ("agency", "police", None),
        ("agency", "gp", None),
    ]


def test_happy_path_to_a_plan_hands_over_to_core_group_and_reviews(case):
    prepared(case)
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    row = conference(case)
    assert (row.held_on, row.decision, row.category, row.quorate) == (
        date(2027, 1, 11),
        "cp_plan",
        "NEG",
        True,
    )
    assert row.held_late is False
    assert row.harm == "Repeated missed medical appointments."
    plan = case.db.scalars(select(Plan)).one()
    assert (plan.started_on, plan.initial_category, plan.previous_plans) == (
        date(2027, 1, 11),
        "NEG",
        0,
    )
    tasks = case.ready()
    assert tasks["decision_letter"].due_on == date(2027, 1, 12)  # 1 working day
    assert tasks["send_minutes"].due_on == date(2027, 2, 1)  # 15 working days
    assert tasks["core_group_meeting"].due_on == date(2027, 1, 25)  # 10 working days
    assert tasks["book_conference"].instance.process_id == "rcpc"
    review = case.instances("rcpc")[0]
    assert review.plan_id == plan.id
    reports = {r.kind: r for r in case.db.scalars(select(Report))}
    assert reports["social_worker"].shared_with_parents_on == date(2027, 1, 7)
    case.at("2027-01-12 10:00")
    case.do("decision_letter")
    case.at("2027-01-25 10:00")
    icpc = case.do("send_minutes")
    assert icpc.status == "completed"
    actions = case.db.scalars(select(PlanAction).order_by(PlanAction.id)).all()
    assert [(a.what, a.by_when) for a in actions] == [
        ("Register with a dentist", date(2027, 2, 1)),
        ("Weekly home visits", date(2027, 4, 1)),
    ]
    row = conference(case)
    assert (row.letter_sent_on, row.minutes_sent_on) == (date(2027, 1, 12), date(2027, 1, 25))
