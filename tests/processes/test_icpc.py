"""The initial conference, driven through the engine over Christmas 2026 (three bank holidays)."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from engine.casework import cases
from engine.models import (
    AuditEvent,
    CasePerson,
    Conference,
    ConferenceRequest,
    Escalation,
    Invitation,
    LateStep,
    OutboxMessage,
    Plan,
    PlanAction,
    Report,
    Timer,
)
from engine.models.instances import open_tasks
from engine.models.timers import FIRED, WAITING
from tests.processes.driver import WHO, answers_for


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
    # The first timer is the booking's reminder: 08:00 on 23 December, 2 working days before.
    assert instance.next_timer_at == datetime(2026, 12, 23, 8, 0, tzinfo=UTC)


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


def test_each_agency_report_is_due_on_the_date_its_step_and_timers_say(case):
    """The report rows (the case story's "late" mark, the documents) carry the date the
    diagram's report steps are due and chased by, whether or not the agency has a link."""
    booked(case)  # Monday 11 January: reports due two working days before, Thursday 7th
    case.at("2027-01-04 09:00")
    case.do("send_invitations")
    assert {t.due_on for t in case.all_ready("agency_report")} == {date(2027, 1, 7)}
    reports = case.db.scalars(select(Report).where(Report.kind == "agency"))
    assert {(r.agency, r.due_on) for r in reports} == {
        ("police", date(2027, 1, 7)),
        ("gp", date(2027, 1, 7)),
    }


def test_invitations_reuse_the_people_already_on_the_childs_record(case):
    cases.add_person(
        case.db,
        case.staff["sw"],
        case.child.id,
        {"kind": "family", "name": "Grace Okoye", "email": "grace@example.invalid"},
        case.clock.now(),
    )
    booked(case)
    family = [
        {"name": "Grace Okoye", "relationship": "Mother"},
        {"name": "Tom Okoye", "relationship": "Father"},
        {"name": "Tom Okoye", "relationship": "Father"},
    ]
    case.do("send_invitations", family=family)
    people = case.db.scalars(select(CasePerson).where(CasePerson.kind == "family")).all()
    assert sorted((p.name, p.relationship_or_agency, p.email) for p in people) == [
        ("Grace Okoye", "Mother", "grace@example.invalid"),
        ("Tom Okoye", "Father", None),
    ]
    invited = case.db.scalars(select(Invitation).where(Invitation.role == "parent")).all()
    by_person = {p.id: p.name for p in people}
    assert sorted(by_person[i.person_id] for i in invited) == [
        "Grace Okoye",
        "Tom Okoye",
        "Tom Okoye",
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
    reports = {(r.kind, r.agency): r for r in case.db.scalars(select(Report))}
    assert reports["social_worker", None].shared_with_parents_on == date(2027, 1, 7)
    # Each agency's report is recorded against that agency, not once for them all.
    assert reports["agency", "police"].submitted_on == date(2027, 1, 6)
    assert reports["agency", "gp"].submitted_on == date(2027, 1, 6)
    assert reports["agency", "police"].summary == "Known to us."
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


def test_a_child_in_need_plan_ends_the_icpc_without_a_plan(case):
    prepared(case)
    case.at("2027-01-11 15:00")
    case.do("hold_conference", decision="cin_plan", category=None)
    assert case.db.scalars(select(Plan)).all() == []
    assert sorted(case.ready()) == ["decision_letter", "send_minutes"]
    assert case.instances("rcpc") == [] and case.instances("core_group") == []
    case.at("2027-01-12 10:00")
    case.do("decision_letter")
    case.at("2027-01-20 10:00")
    assert case.do("send_minutes").status == "completed"
    assert conference(case).decision == "cin_plan"


def test_no_further_action_records_the_decision_and_the_letters(case):
    prepared(case)
    case.at("2027-01-11 15:00")
    case.do("hold_conference", decision="nfa", category=None, dissent="Police disagree.")
    case.at("2027-01-12 10:00")
    case.do("decision_letter")
    case.do("send_minutes", minutes_sent_date="2027-01-12")
    row = conference(case)
    assert (row.decision, row.dissent, row.category) == ("nfa", "Police disagree.", None)
    assert case.db.scalars(select(PlanAction)).all() == []
    assert case.instances("icpc")[0].status == "completed"


def test_a_completion_reports_the_tasks_open_after_it_as_the_database_holds_them(case):
    case.at("2026-12-18 14:00")
    icpc = case.start()
    steps = [
        ("2026-12-18 14:00", "record_strategy_discussion"),
        ("2026-12-21 10:00", "book_conference"),
        ("2027-01-04 09:00", "send_invitations"),  # opens five tasks at once
        ("2027-01-11 15:00", "hold_conference"),  # cancels the preparation still open
    ]
    for when, step in steps:
        case.at(when)
        task = case.ready()[step]
        done = case.engine.complete(case.db, task.id, case.staff[WHO[step]], answers_for(step))
        held = open_tasks(case.db, icpc.id)
        assert sorted(t.id for t in done.ready) == sorted(t.id for t in held), step
        assert [t.created_at for t in done.ready] == sorted(t.created_at for t in held), step
    assert done.instance.id == icpc.id
    assert {t.task_spec for t in done.ready} == {"decision_letter", "send_minutes"}


def test_holding_the_conference_ends_the_preparation_still_open(case):
    booked(case)
    case.at("2027-01-04 09:00")
    case.do("send_invitations", parent_report_expected=True)
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    left = case.ready()
    assert "agency_report" not in left and "parent_report" not in left
    assert "social_worker_report" not in left and "chair_pre_contact" not in left
    reports = case.db.scalars(select(Report).where(Report.kind == "agency")).all()
    assert [r.submitted_on for r in reports] == [None, None]  # never received: it shows


def test_requests_to_exclude_or_withhold_go_to_the_chair(case):
    booked(case)
    case.at("2027-01-04 09:00")
    case.do("send_invitations")
    request = {"kind": "withhold", "details": "Keep the mother's new address from the father."}
    case.at("2027-01-07 09:00")
    case.do("social_worker_report", requests=[request])
    decide = case.ready()["decide_requests"]
    assert (decide.assignee_id, decide.due_on) == (case.staff["chair"].id, date(2027, 1, 8))
    case.do("decide_requests", requests=[{**request, "decision": "agreed", "reason": "Risk."}])
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.kind, row.decision, row.reason) == ("withhold", "agreed", "Risk.")
    assert row.decided_by_id == case.staff["chair"].id


def test_a_missed_deadline_reminds_then_escalates_twice_then_needs_a_reason(case):
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    # The booking, due on 29 December (10 working days before the ICPC's 13 January).
    case.at("2026-12-23 08:00")
    assert case.sweep() == 0
    case.at("2026-12-23 08:01")  # 2 working days before it is due
    assert case.sweep() == 1
    assert case.mail() == [
        ("bs", "New task: Book the conference (ICPC-000001)"),  # when the discussion was recorded
        ("bs", "Due 29 December 2026: Book the conference (ICPC-000001)"),
    ]
    case.at("2026-12-30 00:01")
    assert case.sweep() == 1
    assert case.sweep() == 0  # fired once, never twice
    assert case.mail("escalation") == [("tm", "Overdue: Booking the conference (ICPC-000001)")]
    assert case.ready()["book_conference"].escalation_level == 1
    case.at("2027-01-07 00:01")  # 5 working days after (1 January is a bank holiday)
    assert case.sweep() == 1
    assert case.mail("escalation")[1:] == [("sm", "Overdue: Booking the conference (ICPC-000001)")]
    assert case.ready()["book_conference"].escalation_level == 2
    # The conference itself, due on 13 January: its reminder is for the chair's step, not yet
    # there, so it goes to whoever holds the booking it waits on, linked to that task.
    case.at("2027-01-11 08:01")
    assert case.sweep() == 1
    assert case.mail("reminder") == [
        ("bs", "Due 29 December 2026: Book the conference (ICPC-000001)"),
        ("bs", "Due 13 January 2027: The conference (ICPC-000001)"),
    ]
    waiting = case.db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-1]
    assert waiting.link_path == f"/tasks/{case.ready()['book_conference'].id}"
    assert waiting.body == (
        "The conference for case ICPC-000001 is due by 13 January 2027, and cannot go ahead "
        "until “Book the conference” is done."
    )
    case.at("2027-01-14 00:00")
    assert case.sweep() == 0
    case.at("2027-01-14 00:01")
    assert case.sweep() == 1
    assert case.sweep() == 0
    assert case.mail("escalation")[2:] == [("tm", "Overdue: The conference (ICPC-000001)")]
    case.at("2027-01-21 00:00")
    assert case.sweep() == 0
    case.at("2027-01-21 00:01")  # 5 working days after the deadline: the service manager
    assert case.sweep() == 1
    assert case.mail("escalation")[3:] == [("sm", "Overdue: The conference (ICPC-000001)")]
    escalations = case.db.scalars(select(Escalation).order_by(Escalation.id)).all()
    assert [(e.step, e.level, e.role) for e in escalations] == [
        ("booking", 1, "team_manager"),
        ("booking", 2, "service_manager"),
        ("conference_held", 1, "team_manager"),
        ("conference_held", 2, "service_manager"),
    ]
    case.at("2027-01-21 09:00")
    booked_late = "No chair was free before the 22nd."
    case.do("book_conference", conference_date="2027-01-22", booking_reason=booked_late)
    case.do("send_invitations", invitations_sent_date="2027-01-21")
    case.at("2027-01-22 15:00")
    case.do("hold_conference", held_date="2027-01-22")
    late = case.ready()["agree_conference_held_late"]
    assert (late.assignee_id, late.role) == (case.staff["tm"].id, "team_manager")
    assert late.due_on == date(2027, 1, 29)
    # The task names the step and both dates, so the manager need not look them up.
    assert late.title == "The conference: due 13 January 2027, held 22 January 2027"
    # the booker's reason is the late reason's first draft
    assert case.engine.task_data(case.db, late)["late_explanation"] == booked_late
    case.do("agree_conference_held_late", late_reason="reports_late", late_explanation="No GP.")
    step = case.db.scalars(select(LateStep).where(LateStep.step == "conference_held")).one()
    assert (step.due_on, step.done_on, step.reason) == (
        date(2027, 1, 13),
        date(2027, 1, 22),
        "reports_late",
    )
    assert step.agreed_by_id == case.staff["tm"].id
    row = conference(case)
    assert row.held_late and row.late_reason == "reports_late: No GP."
    assert row.late_reason_agreed_by_id == case.staff["tm"].id
    # Then the chair: their own answer is kept beside the manager's.
    chair = case.ready()["chair_agree_conference_held_late"]
    assert (chair.assignee_id, chair.title) == (case.staff["chair"].id, late.title)
    assert step.chair_agrees is None
    case.do("chair_agree_conference_held_late", chair_agrees=False, chair_comment="Book earlier.")
    case.db.refresh(step)
    assert (step.chair_agrees, step.chair_comment, step.chair_id) == (
        False,
        "Book earlier.",
        case.staff["chair"].id,
    )
    assert step.chair_answered_at is not None


def recorded_late(case, discussed: str):
    """A strategy discussion recorded on Monday 11 January 2027 that took place on `discussed`:
    its conference timers start already due, inside the step that records it."""
    case.at("2027-01-11 10:00")
    case.start()
    case.do(
        "record_strategy_discussion", strategy_discussion_date=discussed, s47_start_date=discussed
    )


def timer_rows(case) -> list[tuple]:
    rows = case.db.scalars(select(Timer).order_by(Timer.due_at))
    return [(r.element, r.status, r.fired_at, r.fired_by) for r in rows]


def timer_audits(case) -> list[list[str]]:
    query = select(AuditEvent).where(AuditEvent.action == "timers.fired")
    return [event.detail["timers"] for event in case.db.scalars(query.order_by(AuditEvent.id))]


def test_a_reminder_due_when_the_discussion_is_recorded_is_recorded_and_sent_once(case):
    recorded_late(case, "2026-12-17")  # 14 working days before: the ICPC is due on 12 January
    at = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    assert timer_rows(case) == [
        ("book_conference_remind", FIRED, at, None),  # the booking was due on 24 December
        ("book_conference_overdue", FIRED, at, None),
        ("book_conference_overdue2", FIRED, at, None),
        ("conference_remind", FIRED, at, None),  # was due at 08:00 on 8 January
        ("conference_overdue", WAITING, None, None),
        ("conference_overdue2", WAITING, None, None),
    ]
    booking_timers = ["Reminder before due", "Overdue", "Still overdue"]
    assert timer_audits(case) == [[*booking_timers, "Reminder before due"]]
    booking = case.ready()["book_conference"]
    assert case.mail() == [
        ("tm", "Overdue: Booking the conference (ICPC-000001)"),
        ("sm", "Overdue: Booking the conference (ICPC-000001)"),
        ("bs", "New task: Book the conference (ICPC-000001)"),
        ("bs", "Due 24 December 2026: Book the conference (ICPC-000001)"),  # the new task's
        # The conference's, due tomorrow: the chair's step is not there yet, so the booking
        # it waits on is reminded of it.
        ("bs", "Due 12 January 2027: The conference (ICPC-000001)"),
    ]
    reminders = case.db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert [r.link_path for r in reminders] == [f"/tasks/{booking.id}"] * 2
    assert case.sweep() == 0  # recorded as fired: the sweep never fires it again
    case.at("2027-01-13 00:01")  # the deadline has passed: only the escalation is left to fire
    assert case.sweep() == 1
    assert case.sweep() == 0
    assert case.mail("reminder") == [
        ("bs", "Due 24 December 2026: Book the conference (ICPC-000001)"),
        ("bs", "Due 12 January 2027: The conference (ICPC-000001)"),
    ]
    assert case.mail("escalation")[2:] == [("tm", "Overdue: The conference (ICPC-000001)")]
    assert timer_audits(case) == [[*booking_timers, "Reminder before due"], ["Overdue"]]


def test_escalations_due_when_the_discussion_is_recorded_are_recorded_and_sent_once(case):
    recorded_late(case, "2026-12-02")  # 25 working days before: the ICPC was due on 23 December
    at = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    assert [(element, status) for element, status, *_ in timer_rows(case)] == [
        (f"{step}_{timer}", FIRED)
        for step in ("book_conference", "conference")
        for timer in ("remind", "overdue", "overdue2")
    ]
    assert {fired_at for _e, _s, fired_at, _by in timer_rows(case)} == {at}
    each = ["Reminder before due", "Overdue", "Still overdue"]
    assert timer_audits(case) == [each + each]
    assert sorted(case.mail()) == [
        ("bs", "Due 23 December 2026: The conference (ICPC-000001)"),
        ("bs", "Due 9 December 2026: Book the conference (ICPC-000001)"),
        ("bs", "New task: Book the conference (ICPC-000001)"),
        ("sm", "Overdue: Booking the conference (ICPC-000001)"),
        ("sm", "Overdue: The conference (ICPC-000001)"),
        ("tm", "Overdue: Booking the conference (ICPC-000001)"),
        ("tm", "Overdue: The conference (ICPC-000001)"),
    ]
    escalations = case.db.scalars(select(Escalation).order_by(Escalation.id)).all()
    assert [(e.step, e.level, e.role, e.due_on) for e in escalations] == [
        ("booking", 1, "team_manager", date(2026, 12, 9)),
        ("booking", 2, "service_manager", date(2026, 12, 9)),
        ("conference_held", 1, "team_manager", date(2026, 12, 23)),
        ("conference_held", 2, "service_manager", date(2026, 12, 23)),
    ]
    assert case.ready()["book_conference"].escalation_level == 2  # the task the step created
    mail = case.mail()
    case.at("2027-01-11 10:05")
    assert case.sweep() == 0
    assert case.mail() == mail and len(timer_audits(case)) == 1
    assert case.db.scalar(select(func.count()).select_from(Escalation)) == 4


def test_transfer_in_conference_is_due_15_working_days_after_notification(case):
    case.at("2027-02-01 09:00")
    case.start("transfer_in")
    assert list(case.ready()) == ["record_transfer_notification"]
    case.do("record_transfer_notification")
    row = conference(case, "transfer_in")
    assert (row.due_on, row.notified_date, row.previous_authority) == (
        date(2027, 2, 22),
        date(2027, 2, 1),
        "Leeds City Council",
    )
    assert row.strategy_discussion_date is None
    case.at("2027-02-02 09:00")
    case.do("book_conference", conference_date="2027-02-19")
    case.do("send_invitations", invitations_sent_date="2027-02-02")
    case.at("2027-02-19 15:00")
    case.do("hold_conference", held_date="2027-02-19", category="EMO")
    plan = case.db.scalars(select(Plan)).one()
    assert (plan.started_on, plan.initial_category) == (date(2027, 2, 19), "EMO")
    review = case.ready()["book_conference"]
    assert review.instance.process_id == "rcpc"


def test_pre_birth_conference_is_due_by_28_weeks_of_pregnancy(db, engine, clock):
    from tests.processes.driver import Case

    case = Case(db, engine, clock, reload=False, expected_date_of_birth=date(2027, 6, 1))
    case.at("2027-02-22 09:00")
    case.start("pre_birth")
    case.do("record_strategy_discussion", strategy_discussion_date="2027-02-22")
    # 15 working days would be 15 March; 28 weeks of pregnancy is 12 weeks before 1 June.
    assert conference(case, "pre_birth").due_on == date(2027, 3, 9)


def test_a_pre_birth_conference_due_at_a_weekend_is_due_the_working_day_before(db, engine, clock):
    """28 weeks of pregnancy counts calendar weeks and can fall on a Saturday or a bank
    holiday; nothing can be held then, so the conference is due the working day before, as
    a review due by a month's end at a weekend is."""
    from tests.processes.driver import Case

    # Due Saturday 5 June 2027: 28 weeks is Saturday 13 March, before the 15 working days.
    case = Case(db, engine, clock, reload=False, expected_date_of_birth=date(2027, 6, 5))
    case.at("2027-03-01 09:00")
    case.start("pre_birth")
    case.do("record_strategy_discussion", strategy_discussion_date="2027-03-01")
    assert conference(case, "pre_birth").due_on == date(2027, 3, 12)
    overdue = case.db.scalars(select(Timer).where(Timer.element == "conference_overdue")).one()
    assert overdue.due_at == datetime(2027, 3, 13, 0, 0, tzinfo=UTC)
    assert case.ready()["book_conference"].due_on == date(2027, 2, 26)


def test_a_pre_birth_conference_due_on_a_bank_holiday_is_due_the_working_day_before(
    db, engine, clock
):
    from tests.processes.driver import Case

    # Due Monday 21 June 2027: 28 weeks is Easter Monday, 29 March 2027 (Good Friday the 26th).
    case = Case(db, engine, clock, reload=False, expected_date_of_birth=date(2027, 6, 21))
    case.at("2027-03-15 09:00")
    case.start("pre_birth")
    case.do("record_strategy_discussion", strategy_discussion_date="2027-03-15")
    assert conference(case, "pre_birth").due_on == date(2027, 3, 25)


def test_pre_birth_plan_is_reviewed_soon_after_the_birth(db, engine, clock):
    from tests.processes.driver import Case

    case = Case(db, engine, clock, reload=True, expected_date_of_birth=date(2027, 4, 15))
    case.at("2027-02-01 09:00")
    case.start("pre_birth")
    case.do("record_strategy_discussion", strategy_discussion_date="2027-02-01")
    assert conference(case, "pre_birth").due_on == date(2027, 2, 22)
    case.do("book_conference", conference_date="2027-02-19")
    case.do("send_invitations", invitations_sent_date="2027-02-01")
    case.at("2027-02-19 15:00")
    case.do("hold_conference", held_date="2027-02-19")
    # 10 working days after the expected birth, earlier than 3 months after the conference.
    assert conference(case, "rcpc").due_on == date(2027, 4, 29)


def test_a_second_plan_counts_the_first(case):
    from engine.casework import cases

    prepared(case)
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    case.do("decision_letter", letter_sent_date="2027-01-11")
    case.do("send_minutes", minutes_sent_date="2027-01-11")
    case.at("2027-05-03 09:00")
    cases.start_plan_ending(case.db, case.engine, case.staff["sw"], case.child.id)
    case.do("record_plan_ending", ending_reason="died", ending_date="2027-05-01")
    case.do("agree_plan_ending")
    case.at("2027-09-01 09:00")
    case.start()
    case.do("record_strategy_discussion", strategy_discussion_date="2027-09-01")
    case.do("book_conference", conference_date="2027-09-20")
    case.do("send_invitations", invitations_sent_date="2027-09-01")
    case.at("2027-09-20 15:00")
    case.do("hold_conference", held_date="2027-09-20", category="PHY")
    second = case.db.scalars(select(Plan).order_by(Plan.id.desc())).first()
    assert (second.previous_plans, second.initial_category) == (1, "PHY")
