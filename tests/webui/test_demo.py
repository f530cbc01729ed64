"""The demo data holds cases at every stage, played through the real diagrams."""

from sqlalchemy import func, select

from engine.models import (
    AuditEvent,
    Conference,
    CoreGroupMeeting,
    DocumentRecord,
    Escalation,
    FamilyLink,
    FeedbackResponse,
    HumanTask,
    OutboxMessage,
    Plan,
    PostedLetter,
    ProcessInstance,
    ProfessionalLink,
    Report,
    ReportFile,
)
from engine.models.catalogue import entry
from engine.models.people import Child, User
from engine.models.processes import versions_of
from engine.platform import workdays
from engine.reporting import census, census_export
from engine.workflow import timers
from tests import demo_copy
from tests.factories import deploy_processes
from webui import demo, demo_stories


def test_demo_cases_cover_every_stage(db, engine):
    deploy_processes(db)
    assert "Loaded" in demo.load(db, engine)
    assert "already loaded" in demo.load(db, engine)
    # A manager of two teams, an empty team, and a second version of the council settings.
    from engine.models import council_settings, teams
    from engine.models.people import user_by_username
    from engine.platform import settings

    assert teams.managed_by(db, user_by_username(db, "tm1")) == ["North", "South"]
    assert "Court team" in teams.names(db)
    assert [v.changed_by for v in council_settings.versions(db)] == ["admin"]
    assert settings.get("conference_chair_phone") == "01234 567899"

    def child(name):
        return db.scalars(select(Child).where(Child.given_name == name)).one()

    def open_steps(name):
        query = (
            select(HumanTask.task_spec)
            .join(HumanTask.instance)
            .where(HumanTask.state == "ready", HumanTask.instance.has(child_id=child(name).id))
        )
        return set(db.scalars(query))

    # Her Children's Meeting is booked: the chair is to meet her and record her views.
    assert open_steps("Amara") == {"record_strategy_discussion", "record_views"}
    assert entry(db, "childrens_meeting").from_child_page
    assert entry(db, "legal_planning_referral").retired
    assert open_steps("Ben") == {"book_conference"}
    assert {"agency_report", "social_worker_report", "hold_conference"} <= open_steps("Daniel")
    assert "parent_report" not in open_steps("Daniel")  # the mother sent it by her link
    daniel = db.scalars(select(Conference).where(Conference.child_id == child("Daniel").id)).one()
    report_step = db.scalars(
        select(HumanTask).where(
            HumanTask.task_spec == "social_worker_report", HumanTask.child_id == daniel.child_id
        )
    ).one()  # moved a day on: the report is due two working days before the new date
    assert report_step.due_on == workdays.add_working_days(daniel.scheduled_on, -2)
    parents = db.scalars(
        select(Report).where(Report.kind == "parent", Report.person_id.is_not(None))
    )
    assert [r.author for r in parents] == ["Parent One"]
    assert "chair_agree_conference_held_late" in open_steps("Jack")  # the manager has agreed
    assert "hold_review" in open_steps("Kai")  # its form shows the last conference's map
    levels = db.scalars(select(Escalation.level).where(Escalation.child_id == child("Ella").id))
    # The booking and the conference, each to the team manager then the service manager.
    assert sorted(levels) == [1, 1, 2, 2]
    kinds = set(db.scalars(select(Conference.kind)))
    assert kinds == {"icpc", "rcpc", "transfer_in", "pre_birth"}
    plans = {p.child_id: p for p in db.scalars(select(Plan))}
    assert plans[child("Finn").id].open
    assert plans[child("Finn").id].initial_category == "EMO"  # corrected by the manager
    assert plans[child("Grace").id].latest_category == "EMO"
    assert plans[child("Harry").id].end_reason == "review_cin"
    assert db.scalar(select(func.count(OutboxMessage.id))) > 10
    held = db.scalars(select(Conference).where(Conference.held_on.is_not(None))).all()
    quorate = {(c.child_id, c.kind): c.quorate for c in held}
    assert quorate[(child("Finn").id, "icpc")] and quorate[(child("Grace").id, "rcpc")]
    patels = [c for c in held if c.child_id in {child(n).id for n in ("Maya", "Ravi", "Sana")}]
    assert len(patels) == 3 and len({c.group_id for c in patels}) == 1 and patels[0].group_id
    assert len({(c.scheduled_on, c.venue, c.chair_id) for c in patels}) == 1
    by_child = {c.child_id: c for c in patels}
    decided = [by_child[child(n).id].decision for n in ("Maya", "Ravi", "Sana")]
    assert decided == ["cp_plan", "cp_plan", "cin_plan"]
    assert plans[child("Ravi").id].initial_category == "EMO"
    shared = db.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.action == "task.completed", AuditEvent.child_id == child("Sana").id
        )
    ).all()  # Sana's booking, invitations and pre-contact were done on Maya's steps
    assert {(d["task"], d["from_child"]) for d in shared if d.get("shared")} == {
        ("book_conference", child("Maya").reference),
        ("send_invitations", child("Maya").reference),
        ("chair_pre_contact", child("Maya").reference),
    }
    group = patels[0].group_id  # one set of family papers, each child's part in it
    family_papers = db.scalars(select(DocumentRecord).where(DocumentRecord.group_id == group)).all()
    sent = sorted(r.kind for r in family_papers if r.purpose == "sent")
    assert sent == ["agenda", "decision_letter", "invitation", "minutes"]
    assert sum(r.purpose == "covered" for r in family_papers) == 8
    assert child("Ben").family_id == child("Chloe").family_id is not None
    jack = next(c for c in held if c.child_id == child("Jack").id)
    assert (jack.quorate, jack.agencies_attended) == (False, "children_social_care, police")
    assert "risk of harm" in jack.quorum_reason
    assert jack.booking_reason == demo_stories.JACK_LATE
    # the day held corrected to the next working day: his first core group follows it
    assert jack.held_on == workdays.add_working_days(jack.scheduled_on, 1)
    meeting = db.scalars(select(CoreGroupMeeting).where(CoreGroupMeeting.plan_id == jack.plan_id))
    assert meeting.one().due_on == workdays.add_working_days(jack.held_on, 10)
    daniel = db.scalars(select(Conference).where(Conference.child_id == child("Daniel").id)).one()
    assert (daniel.chair.username, daniel.scheduled_time) == ("chair2", "14:00")
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "conference.rescheduled"))
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "conference.corrected"))
    leo = child("Leo")
    assert leo.date_of_birth and leo.expected_date_of_birth and plans[leo.id].open
    assert all(c.booking_reason is None for c in held if c is not jack)

    finn = db.scalars(
        select(Conference).where(Conference.child_id == child("Finn").id, Conference.kind == "icpc")
    ).one()
    sent = db.scalars(
        select(DocumentRecord.kind).where(
            DocumentRecord.conference_id == finn.id, DocumentRecord.purpose == "sent"
        )
    )
    assert set(sent) == {"invitation", "agenda", "decision_letter", "plan", "minutes"}
    assert db.scalar(select(func.count(ReportFile.id))) == 2  # police (Finn), health visitor
    # The census return for the demo's year validates against the schema kept here, with an
    # enquiry that needed no conference among the rest.
    year = census.CensusYear.containing(engine.clock.today())
    children = census.collect(db, year)
    document = census_export.to_xml(children, year, engine.clock.now())
    assert census_export.problems(document) == []
    assert b"<ICPCnotRequired>true</ICPCnotRequired>" in document
    assert any(c.plans for c in children) and any(c.enquiries for c in children)
    assert sorted(db.scalars(select(FeedbackResponse.respondent))) == ["parent", "professional"]
    links = db.scalars(select(FamilyLink).where(FamilyLink.conference_id == finn.id)).all()
    assert sorted(link.used_at is None for link in links) == [False, True]


def test_demo_shows_a_trial_version_and_the_roll_back(db, engine):
    demo_copy.load(db, engine)
    numbered = {v.number: v for v in versions_of(db, "core_group")}
    [trial] = [v for v in numbered.values() if v.comment.startswith("Trial:")]
    before, back = numbered[trial.number - 1], numbered[trial.number + 1]  # others: the slips
    assert back.content_hash == before.content_hash != trial.content_hash
    assert back.comment == (
        f"Back to version {before.number}: Chairs found fortnightly meetings too close"
    )


def test_the_demo_shows_what_slips_in_a_diagram_caused(db, engine):
    from engine.models.processes import versions_of
    from engine.operations import diagram_failures

    demo_copy.load(db, engine)
    latest, broken, first = versions_of(db, "core_group")[:3]
    assert latest.bpmn_xml == first.bpmn_xml  # the slip was undone by a new version
    found = diagram_failures.for_version(db, broken)
    [failure] = found.failures
    assert (failure.kind, failure.element) == ("step", "next_meeting")
    assert "longer than the limit of 0.2 seconds" in failure.message
    assert len(failure.cases) == 1 and found.newer.id == latest.id
    # An earlier slip, in a reminder's script: a case whose timers failed every retry and
    # stopped, a quarter of an hour before the demo's now, and the managers who may open it
    # emailed (the social worker's team manager, the service manager, the administrator).
    query = select(ProcessInstance).where(ProcessInstance.timer_failed_at.is_not(None))
    [stopped] = db.scalars(query).all()
    assert stopped.timer_attempts == timers.MAX_ATTEMPTS
    assert stopped.timer_failed_at < engine.clock.now()
    assert "core_group_meeting_remind_notify" in stopped.timer_error
    told = select(OutboxMessage.to_user_id).where(
        OutboxMessage.kind == "timers_stopped", OutboxMessage.instance_id == stopped.id
    )
    assert {db.get(User, user_id).username for user_id in db.scalars(told)} == {
        "tm1",
        "sm1",
        "admin",
    }


def test_demo_health_visitor_takes_part_by_link_and_letters_wait_to_be_posted(db, engine):
    demo_copy.load(db, engine)
    by_child = {
        given: {link.used_at is not None for link in links}
        for given in ("Daniel", "Baby")
        for links in [
            db.scalars(
                select(ProfessionalLink)
                .join(Conference, Conference.id == ProfessionalLink.conference_id)
                .join(Child, Child.id == Conference.child_id)
                .where(Child.given_name == given)
            ).all()
        ]
    }
    assert by_child == {"Daniel": {False}, "Baby": {True}}
    # The health visitor's report came after the reports were shared: the mother has it too.
    late = db.scalars(select(AuditEvent).where(AuditEvent.action == "report.shared_late")).all()
    assert [event.detail["parents"] for event in late] == [1]
    letters = db.scalars(select(PostedLetter)).all()
    assert {letter.posted_on is None for letter in letters} == {True, False}
