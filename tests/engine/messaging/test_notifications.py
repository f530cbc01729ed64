"""Who is told about what, over a real case driven through the deployed diagrams."""

from sqlalchemy import event, select

from engine.messaging import notifications
from engine.models import HumanTask, OutboxMessage, ProcessInstance
from engine.models.instances import open_tasks
from engine.models.people import DAILY_DIGEST, Child
from engine.platform.db import transaction
from engine.workflow import step_context
from engine.workflow.step_context import StepContext
from tests.factories import (
    STRATEGY,
    deploy_test_diagram,
    make_child,
    make_staff,
    make_user,
    start_icpc,
)
from tests.processes.driver import ANSWERS, Case, on_a_plan


def all_mail(db) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_new_task_is_told_to_whoever_may_do_it_but_not_to_whoever_caused_it(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    assert case.mail("new_task") == []  # sw started it and is looking at the task
    case.do("record_strategy_discussion")
    assert case.mail("new_task") == [("bs", "New task: Book the conference (ICPC-000001)")]
    case.do("book_conference")  # bs books; the invitations are theirs next: not told
    case.do("send_invitations")  # the GP's report, theirs too; the police officer has an account
    assert sorted(case.mail("new_task")[1:]) == [  # in whatever order the steps opened
        ("chair", "New task: Contact the parents before the conference (ICPC-000001)"),
        ("chair", "New task: Hold the conference and record the decision (ICPC-000001)"),
        ("police", "New task: Agency report: Robin Hall (ICPC-000001)"),
        ("sw", "New task: Write your report and share it with the parents (ICPC-000001)"),
    ]
    chair = case.staff["chair"].id
    [row] = [m for m in all_mail(db) if m.to_user_id == chair and "Contact" in m.subject]
    task = case.ready()["chair_pre_contact"]
    assert row.link_path == f"/tasks/{task.id}"
    assert "due by 8 January 2027" in row.body


def test_no_email_carries_the_childs_name_or_the_concerns(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    case.at("2027-03-01 09:00")  # the first core group is overdue: reminders, escalations
    case.sweep()
    mail = all_mail(db)
    assert {m.kind for m in mail} >= {"new_task", "reminder", "escalation"}
    child = case.child
    secrets = [
        child.given_name,
        child.family_name,
        child.reference,
        ANSWERS["hold_conference"]["harm"],
    ]
    for message in mail:
        for secret in secrets:
            assert secret not in message.subject and secret not in message.body, message.subject


def test_a_step_done_again_escalates_again_but_one_deadline_only_once(db, engine, clock):
    staff, _child, instance = start_icpc(db, engine)
    context = StepContext(db, instance, clock.now(), data={"team_manager": "tm"})

    def escalate(due_date):
        with step_context.bound(context), transaction(db):
            return notifications.escalate("book_conference", "Booking", 1, due_date)

    assert escalate("2026-03-04") == 1
    assert escalate("2026-03-04") == 0  # the same deadline: the manager is told once
    assert escalate("2026-03-18") == 1  # rebooked, late again: told again
    subjects = [m.subject for m in all_mail(db) if m.kind == "escalation"]
    assert subjects == ["Overdue: Booking (ICPC-000001)"] * 2
    assert {m.to_user_id for m in all_mail(db) if m.kind == "escalation"} == {staff["tm"].id}


def test_a_reminder_of_a_task_this_step_made_asks_no_outbox_and_one_made_before_does(
    db, engine, clock, sessions
):
    _staff, _child, instance = start_icpc(db, engine)
    [row] = open_tasks(db, instance.id)  # the strategy discussion: made by the start
    asked: list[str] = []
    bind = db.get_bind()

    def outbox_read(_conn, _cursor, sql, *_rest):
        if sql.lstrip().startswith("SELECT") and "FROM outbox" in " ".join(sql.split()):
            asked.append(sql)

    def remind(session, made: bool) -> None:
        context = StepContext(session, session.get(ProcessInstance, instance.id), clock.now())
        with step_context.bound(context), transaction(session):
            task = session.get(HumanTask, row.id)
            if made:
                notifications.tasks_created(session, context.instance, [task], None, clock.now())
            notifications.remind(row.task_spec, "2026-03-04")
            context.saved([task])
        assert notifications._new_tasks(session) == set()  # not kept past the transaction

    event.listen(bind, "before_cursor_execute", outbox_read)
    try:
        remind(db, made=True)  # as the start step would: the row is this step's
        assert asked == []
        with sessions() as later:
            remind(later, made=False)  # a later step: its row is not new, the outbox says
    finally:
        event.remove(bind, "before_cursor_execute", outbox_read)
    assert len(asked) >= 1
    reminders = [m for m in all_mail(db) if m.kind == "reminder"]
    assert len(reminders) == 1  # the reminder queued by the first, not again


def test_a_step_not_reached_yet_is_reminded_to_the_tasks_it_waits_on(db, engine, clock):
    staff, _child, instance = start_icpc(db, engine)
    [discussion] = open_tasks(db, instance.id)  # the social worker's strategy discussion

    def remind(*args) -> int:
        context = StepContext(db, db.get(ProcessInstance, instance.id), clock.now())
        with step_context.bound(context), transaction(db):
            notifications.remind(*args)
            context.saved(open_tasks(db, instance.id))
        return len([m for m in all_mail(db) if m.kind == "reminder"])

    # The chair's step has no row yet: whoever holds what it waits on is told, of the
    # diagram's name for what is due, with a link to their own task.
    assert remind("hold_conference", "2026-03-16", "The conference") == 1
    [told] = all_mail(db)
    assert (told.to_user_id, told.subject) == (
        staff["sw"].id,
        "Due 16 March 2026: The conference (ICPC-000001)",
    )
    assert told.body == (
        "The conference for case ICPC-000001 is due by 16 March 2026, and cannot go ahead "
        f"until “{discussion.title}” is done."
    )
    assert told.link_path == f"/tasks/{discussion.id}"
    assert remind("hold_conference", "2026-03-16", "The conference") == 1  # never twice
    assert remind("hold_review", "2026-03-16") == 2  # a diagram naming nothing: said plainly
    assert all_mail(db)[-1].subject == "Due 16 March 2026: The next step (ICPC-000001)"
    # A step the case has been through is nobody's to be reminded of, whatever is open now.
    engine.complete(db, discussion.id, staff["sw"], STRATEGY)
    assert [r.task_spec for r in open_tasks(db, instance.id)] == ["book_conference"]
    assert remind("record_strategy_discussion", "2026-03-16", "The discussion") == 2


def test_a_case_whose_timers_stopped_is_told_to_the_managers_who_may_open_it(db, engine):
    staff = make_staff(db)
    south_tm = make_user(db, "tm_south", "team_manager", team="South")
    admin = make_user(db, "admin", "administrator", team=None)
    digest = make_user(db, "sm_digest", "service_manager", team=None)
    digest.notify = DAILY_DIGEST
    child = make_child(db, engine, staff["sw"])
    deploy_test_diagram(db, "deadline")
    data = {"social_worker": "sw", "team_manager": "tm", "due_date": "2026-03-04"}
    instance = engine.start(db, "deadline", staff["sw"], data, child_id=child.id)
    now = engine.clock.now()
    with transaction(db):
        told = notifications.timers_stopped(db, instance.id, now)
    mail = [m for m in all_mail(db) if m.kind == "timers_stopped"]
    told_ids = {m.to_user_id for m in mail}
    # The child's team manager, every service manager and administrator; not the social
    # worker (who cannot retry), nor a team manager of another team (who cannot see it).
    assert told_ids == {staff["tm"].id, staff["sm"].id, admin.id, digest.id}
    assert told == 4 and south_tm.id not in told_ids
    ref = instance.reference
    for message in mail:
        assert message.subject == f"Timers stopped: case {ref}"
        assert message.link_path == f"/instances/{instance.id}"
        assert message.status == "pending"  # at once, even for a daily digest's reader
        assert child.given_name not in message.body and child.family_name not in message.body
    assert db.get(Child, child.id).reference not in " ".join(m.body for m in mail)
    with transaction(db):  # the same stop is told once
        assert notifications.timers_stopped(db, instance.id, now) == 0
