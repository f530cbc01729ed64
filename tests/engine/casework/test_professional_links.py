"""A GP and a school with no accounts take part by secure link; letters to post are queued.

The case: an initial conference for Monday 11 January 2027, invitations sent on 4 January to
the police (an account), a GP and a school's safeguarding lead (emails, no accounts) and a
housing officer (neither, so everything reaches them by post).
"""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlalchemy import select

from engine.access.access import Level
from engine.casework import conference_requests, family_links, professional_links, task_context
from engine.documents import print_queue, report_files
from engine.models import (
    AuditEvent,
    ConferenceRequest,
    DocumentRecord,
    HumanTask,
    OutboxMessage,
    PostedLetter,
    ProfessionalLink,
    Report,
    ReportFile,
)
from engine.models.instances import DONE
from engine.platform.errors import InvalidValue, NotAllowed, NotFound
from tests.engine.documents.hostile_files import clean_pdf
from tests.processes.driver import ANSWERS, Case, invited

AGENCIES = [
    *ANSWERS["send_invitations"]["agencies"],  # police (account), GP (email)
    {"agency": "school", "name": "Ms Dee Lee", "email": "dsl@school.invalid"},
    {"agency": "housing", "name": "Sam Ash"},
]
ANSWERS_SENT = {
    "report_summary": "Attendance 82%; tired and hungry most mornings.",
    "report_worries": "Often late, no lunch.",
    "report_recommendation": "cp_plan",
}


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    invited(made, agencies=AGENCIES)
    return made


def tokens(case) -> dict[str, str]:
    """The token each address was emailed (the only place a token exists)."""
    query = select(OutboxMessage).where(OutboxMessage.kind == "professional_link")
    return {m.to_address: m.link_path.rsplit("/", 1)[1] for m in case.db.scalars(query)}


def actions(case, prefix: str) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.action.startswith(prefix))
    return list(case.db.scalars(query.order_by(AuditEvent.id)))


def report_of(case, agency: str) -> Report:
    return case.db.scalars(select(Report).where(Report.agency == agency)).one()


def test_each_professional_with_an_email_and_no_account_is_emailed_a_link(case):
    sent = tokens(case)
    assert sorted(sent) == ["dsl@school.invalid", "gp@example.invalid"]
    links = list(case.db.scalars(select(ProfessionalLink).order_by(ProfessionalLink.id)))
    assert [link.report_id for link in links] == [report_of(case, a).id for a in ("gp", "school")]
    for link in links:
        token = sent[link.email]
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {link.token_hash, link.email}
        assert (link.expires_at - link.created_at).days == 21
    to_gp = select(OutboxMessage).where(OutboxMessage.to_address == "gp@example.invalid")
    mail = case.db.scalars(to_gp).one()
    # What the form is for, by when, the conference's day, and who to call; no child's name.
    assert "report for the conference by 7 January 2027" in mail.body
    assert "11 January 2027 at 10:00, Civic Centre, room 2" in mail.body
    assert "01234 567890" in mail.body and case.child.full_name.split()[0] not in mail.body
    assert actions(case, "professional_link.") == ["professional_link.issued"] * 2


def test_the_invitation_reaches_them_by_email_and_the_rest_go_to_the_print_queue(case):
    record = case.db.scalars(
        select(DocumentRecord).where(DocumentRecord.kind == "invitation")
    ).one()
    by = {r["name"]: r["by"] for r in record.recipients}
    assert by == {
        "Grace Okoye": "post",
        "Tom Okoye": "post",
        "Robin Hall": "secure link",
        "Dr Asha Patel": "email",
        "Ms Dee Lee": "email",
        "Sam Ash": "post",
    }
    queued = case.db.scalars(select(PostedLetter).order_by(PostedLetter.id))
    assert sorted((p.kind, p.person.name) for p in queued) == sorted(
        (kind, name)
        for kind in ("invitation", "agenda")
        for name in ("Grace Okoye", "Tom Okoye", "Sam Ash")
    )


def test_a_submitted_link_completes_the_report_step_with_its_file(case):
    case.at("2027-01-06 16:30")
    token = tokens(case)["gp@example.invalid"]
    opened = professional_links.open_link(case.db, case.engine, token, case.clock.now())
    assert (opened.report.agency, opened.due_on) == ("gp", date(2027, 1, 7))
    upload = professional_links.Upload("GP report.pdf", clean_pdf())
    professional_links.submit(case.db, case.engine, token, ANSWERS_SENT, upload, case.clock.now())
    report = report_of(case, "gp")
    assert report.submitted_on == date(2027, 1, 6)
    assert report.summary.startswith(ANSWERS_SENT["report_summary"])
    assert "What we are worried about: Often late, no lunch." in report.summary
    assert "Recommendation: a child protection plan" in report.summary
    files = list(case.db.scalars(select(ReportFile).where(ReportFile.report_id == report.id)))
    assert [(f.filename, f.uploaded_by_id) for f in files] == [("GP report.pdf", None)]
    # The same step an account holder does: done, by nobody on the staff.
    task = case.db.scalars(
        select(HumanTask).where(HumanTask.title == "Agency report: Dr Asha Patel")
    ).one()
    assert (task.state, task.completed_by_id) == (DONE, None)
    assert [t.title for t in case.all_ready("agency_report")] == [
        "Agency report: Ms Dee Lee",
        "Agency report: Robin Hall",
        "Agency report: Sam Ash",
    ]
    assert actions(case, "professional_link.")[2:] == [
        "professional_link.opened",
        "professional_link.file_uploaded",
        "professional_link.used",
    ]
    with pytest.raises(family_links.LinkRefused, match="will not open again") as refused:
        professional_links.open_link(case.db, case.engine, token, case.clock.now())
    assert refused.value.gone
    assert actions(case, "professional_link.")[-1] == "professional_link.refused"


def test_a_refused_file_leaves_the_link_unspent_and_nothing_saved(case):
    token = tokens(case)["dsl@school.invalid"]
    upload = professional_links.Upload("report.pdf", b"not a pdf at all")
    with pytest.raises(report_files.FileRefused):
        professional_links.submit(
            case.db, case.engine, token, ANSWERS_SENT, upload, case.clock.now()
        )
    assert report_of(case, "school").submitted_on is None
    assert case.db.scalars(select(ProfessionalLink.used_at)).all() == [None, None]
    professional_links.submit(case.db, case.engine, token, ANSWERS_SENT, None, case.clock.now())
    assert report_of(case, "school").submitted_on == date(2027, 1, 4)


def test_made_up_expired_and_overtaken_links_are_refused_and_audited(case):
    now = case.clock.now()
    with pytest.raises(family_links.LinkRefused, match="not valid") as made_up:
        professional_links.open_link(case.db, case.engine, "made-up", now)
    assert not made_up.value.gone
    # Business support records the school's report that came by post: its link has no task.
    school = next(t for t in case.all_ready("agency_report") if "Lee" in t.title)
    case.do("agency_report", task=school, actor="bs")
    with pytest.raises(family_links.LinkRefused, match="already has your report"):
        professional_links.open_link(case.db, case.engine, tokens(case)["dsl@school.invalid"], now)
    case.at("2027-01-26 10:00")  # 22 days on
    with pytest.raises(family_links.LinkRefused, match="expired"):
        professional_links.open_link(
            case.db, case.engine, tokens(case)["gp@example.invalid"], case.clock.now()
        )
    assert actions(case, "professional_link.refused") == ["professional_link.refused"] * 3


def test_business_support_prints_each_letter_and_marks_it_posted_once(case):
    bs, sw = case.staff["bs"], case.staff["sw"]
    today = case.clock.today()
    waiting = print_queue.queue(case.db, bs, today)
    assert len(waiting) == 6 and {w.posted_on for w in waiting} == {None}
    first = waiting[0]
    produced = print_queue.letter_pdf(case.db, bs, first.id, case.clock.now())
    assert produced.content.startswith(b"%PDF") and produced.filename.endswith(".pdf")
    with pytest.raises(print_queue.NotPosted, match="today or a day before"):
        print_queue.posted(case.db, bs, first.id, "2027-01-05", case.clock.now())
    with pytest.raises(print_queue.NotPosted, match="before it was sent to print"):
        print_queue.posted(case.db, bs, first.id, "2027-01-03", case.clock.now())
    print_queue.posted(case.db, bs, first.id, "2027-01-04", case.clock.now())
    with pytest.raises(print_queue.NotPosted, match="already been marked"):
        print_queue.posted(case.db, bs, first.id, "2027-01-04", case.clock.now())
    after = print_queue.queue(case.db, bs, today)
    assert [(w.id, w.posted_on, w.posted_by) for w in after][-1] == (
        first.id,
        date(2027, 1, 4),
        bs.display_name,
    )
    assert actions(case, "letter.") == ["letter.printed", "letter.posted"]
    with pytest.raises(NotAllowed):
        print_queue.queue(case.db, sw, today)
    with pytest.raises(NotFound):
        print_queue.letter_pdf(case.db, bs, 10_000, case.clock.now())


KEEP_SCHOOL = {
    "kind": "withhold",
    "details": "The father must not learn which school the child now attends.",
    "person": "Ms Dee Lee",
    "field": "address",
    "withheld_from": "Tom Okoye, all family members",
}


def test_a_professional_by_link_raises_a_request_the_chair_decides_before_holding(case):
    """Issue 21: the GP, with no account, asks the chair with the report; the chair sees the
    request open on the hold step, which refuses until it is decided."""
    case.at("2027-01-06 16:30")
    token = tokens(case)["gp@example.invalid"]
    asked = {**ANSWERS_SENT, "agency_requests": [KEEP_SCHOOL]}
    professional_links.submit(case.db, case.engine, token, asked, None, case.clock.now())
    row = case.db.scalars(select(ConferenceRequest)).one()
    gp_id = report_of(case, "gp").person_id
    assert (row.kind, row.decision, row.raised_by_id, row.field) == (
        "withhold",
        None,
        None,
        "address",
    )
    assert (row.person.name, row.withheld_from_group) == ("Ms Dee Lee", "family")
    assert [p.name for p in row.withheld_from_people] == ["Tom Okoye"]
    raised = case.db.scalars(select(AuditEvent).where(AuditEvent.action == "request.raised")).one()
    assert (raised.detail["request"], raised.detail["raised_by_person"]) == (row.id, gp_id)
    assert "professional_link.requests_raised" in actions(case, "professional_link.")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if "Hall" in task.title else "bs")
    case.do("social_worker_report")
    case.at("2027-01-11 15:00")
    hold = case.ready()["hold_conference"]
    shown = task_context.for_task(case.db, case.staff["chair"], hold, Level.FULL)
    assert [r.id for r in shown.open_requests] == [row.id] and shown.can_decide
    with pytest.raises(InvalidValue, match="Decide the request to withhold information"):
        case.do("hold_conference")
    decision = {"request_id": str(row.id), "decision": "refused", "reason": "Known already."}
    conference_requests.decide_request(
        case.db, case.staff["chair"], row.conference_id, decision, case.clock.now()
    )
    case.do("hold_conference")
    assert "hold_conference" not in case.ready()


def test_a_request_by_link_after_the_conference_is_held_is_refused(case):
    token = tokens(case)["gp@example.invalid"]
    link = case.db.scalars(select(ProfessionalLink).order_by(ProfessionalLink.id)).first()
    link.conference.held_on = date(2027, 1, 4)  # held (by a shortcut) with the GP's link unused
    case.db.commit()
    asked = {**ANSWERS_SENT, "agency_requests": [KEEP_SCHOOL]}
    with pytest.raises(family_links.LinkRefused, match="has been held"):
        professional_links.submit(case.db, case.engine, token, asked, None, case.clock.now())
    assert case.db.scalars(select(ConferenceRequest)).all() == []
    assert case.db.scalars(select(ProfessionalLink.used_at)).all() == [None, None]


def test_a_report_sent_just_after_midnight_in_summer_is_dated_that_day_in_england(
    db, engine, clock
):
    """At 00:30 on 9 June (British Summer Time) it is still 8 June in UTC: the report came
    in on the 9th, the day after it was due, and must not read as in on time."""
    made = Case(db, engine, clock, reload=False)
    made.at("2027-06-01 10:00")
    made.start()
    made.do(
        "record_strategy_discussion",
        strategy_discussion_date="2027-06-01",
        s47_start_date="2027-06-01",
    )
    made.do("book_conference", conference_date="2027-06-10")
    made.do("send_invitations", invitations_sent_date="2027-06-01", agencies=AGENCIES)
    assert report_of(made, "gp").due_on == date(2027, 6, 8)
    made.at("2027-06-09 00:30")
    token = tokens(made)["gp@example.invalid"]
    professional_links.submit(db, engine, token, ANSWERS_SENT, None, clock.now())
    assert report_of(made, "gp").submitted_on == date(2027, 6, 9)
