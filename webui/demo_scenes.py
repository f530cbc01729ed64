"""Demo scenes played once the children's stories are in: family links and feedback, requests,
external professionals, corrections, diagram history, drafts, administration,
teams and settings, so each feature has something to show after `make run`.
"""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.access import accounts, administration, settings_changes, team_admin, tokens
from engine.casework import (
    births,
    cases,
    conference_requests,
    corrections,
    family_links,
    feedback,
    professional_links,
    rescheduling,
)
from engine.diagrams import diagram_editing, form_editing
from engine.documents import print_queue, report_files
from engine.models import teams
from engine.models.child_conferences import people_for_child
from engine.models.conferences import Conference, reports_for
from engine.models.instances import ProcessInstance
from engine.models.outbox import OutboxMessage
from engine.models.people import Child, user_by_username
from engine.models.processes import latest_version
from engine.models.professional_links import PostedLetter
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.service import Engine
from webui.demo_playing import open_task, play
from webui.demo_stories import MOTHER_ADDRESS, REFERRER, SAMPLE_TEXT, to_plan


def family_and_feedback(session: Session, engine: Engine, given: str) -> None:
    """For one child whose conference is over: the police report as a Word file, the
    mother's feedback through a secure link, a second link still waiting, and a
    professional's feedback, so the conference page and /feedback have something to show."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    conference = session.scalars(
        select(Conference).where(Conference.child_id == child.id, Conference.kind == "icpc")
    ).one()
    now = engine.clock.now()
    police, worker = user_by_username(session, "police1"), child.social_worker
    agency = next(r for r in reports_for(session, conference.id) if r.agency == "police")
    report_files.upload(session, police, agency, "Police report.docx", _word_report(), now)
    mother = next(p for p in people_for_child(session, child.id) if p.name == "Parent One")
    with transaction(session):
        mother.address = MOTHER_ADDRESS  # what the chair withheld from the father
    for purpose, answers in (
        ("parent_feedback", PARENT_FEEDBACK),
        ("parent_feedback", None),
    ):
        token = family_links.issue(
            session, worker, conference, mother.id, purpose, "parent.one@example.invalid", now
        )
        if answers:
            family_links.submit(session, token, answers, {}, now)
    feedback.record_professional(session, police, conference, PROFESSIONAL_FEEDBACK, now)


def open_request(session: Session, engine: Engine, given: str) -> None:
    """An invited police officer asks, before the conference, to keep a passage from the
    whole family (a group: both parents, and anyone in the family added later); left open,
    so the chair sees it on the conference page and the hold task."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    conference = session.scalars(select(Conference).where(Conference.child_id == child.id)).one()
    request = {
        "kind": "withhold",
        "details": "The neighbour who called us must not be identifiable to the family.",
        "field": "passage",
        "passage": REFERRER,
        "withheld_from": "all family members",
    }
    police = user_by_username(session, "police1")
    conference_requests.raise_request(session, police, conference.id, request, engine.clock.now())


HV_REQUEST = {
    "kind": "withhold",
    "details": "The grandmother told me this in confidence; please keep it from the family.",
    "field": "passage",
    "passage": "Maternal grandmother is supportive and visits daily.",
    "withheld_from": "all family members",
}


def external_professionals(session: Session, engine: Engine) -> None:
    """The health visitor (no account, an email address) is emailed a report link with each
    invitation. Daniel Novak's is still waiting (its email, with the link, is in the outbox
    and, once the scheduler sends it, in `instance/mail/`); for Baby Jones she has used hers,
    sent a Word file and asked the chair to withhold a passage. Letters queued for the post
    more than a week ago are marked posted, so the print queue shows both what waits and
    what went."""
    now = engine.clock.now()
    baby = session.scalars(select(Child).where(Child.given_name == "Baby")).one()
    query = (
        select(OutboxMessage.link_path)
        .join(ProcessInstance, ProcessInstance.id == OutboxMessage.instance_id)
        .where(OutboxMessage.kind == "professional_link", ProcessInstance.child_id == baby.id)
    )
    token = session.scalars(query).one().rsplit("/", 1)[1]
    answers = {
        "report_summary": "Seen antenatally three times; mother engaging well.",
        "report_worries": "No cot or baby equipment yet; a previous child was removed.",
        "report_working_well": "Maternal grandmother is supportive and visits daily.",
        "report_recommendation": "cp_plan",
        "agency_requests": [HV_REQUEST],  # raised with the report, for sw1's chair to decide
    }
    upload = professional_links.Upload("Health visitor report.docx", _word_report())
    professional_links.submit(session, engine, token, answers, upload, now)
    printer = user_by_username(session, "bs1")
    week_ago = now - timedelta(days=7)
    old = select(PostedLetter).where(PostedLetter.queued_at < week_ago)
    for letter in session.scalars(old).all():
        posted_on = day_in_england(letter.queued_at)
        print_queue.posted(session, printer, letter.id, posted_on, now)


def late_reason_for_the_chair(session: Session, engine: Engine) -> None:
    """Jack Mills's conference was late: the team manager has agreed the reason, and the
    chair's own agreement now waits in chair1's tasks (both are kept on the late step)."""
    jack = session.scalars(select(Child).where(Child.given_name == "Jack")).one()
    task = open_task(session, jack, "agree_conference_held_late")
    answers = {
        "late_reason": "chair_availability",
        "late_explanation": "No chair was free in the timescale; the earliest was two days late.",
    }
    engine.complete(session, task.id, user_by_username(session, "tm1"), answers)


def corrected(session: Session, engine: Engine, given: str) -> None:
    """A team manager corrects what the chair recorded of the child's views."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    conference = session.scalars(
        select(Conference).where(Conference.child_id == child.id, Conference.kind == "icpc")
    ).one()
    corrections.correct(
        session,
        user_by_username(session, "tm1"),
        conference.id,
        {"child_views": f"{given} says she wants to stay at home and to see her gran more."},
        "The chair recorded the brother's words as Grace's; corrected from the notes.",
        engine.clock.now(),
    )


def baby_born(session: Session, engine: Engine) -> None:
    """A pre-birth case whose plan started before the birth, and the birth recorded since:
    Leo is counted as born, and the census has his date of birth."""
    worker, today = user_by_username(session, "sw2"), engine.clock.today()
    expected = today + timedelta(days=10)
    child = cases.add_child(session, engine, worker, "Baby", "Lewis", None, worker, expected)
    play(session, engine, child, workdays.add_working_days(today, -30), "pre_birth", to_plan())
    born = today - timedelta(days=2)
    births.record_birth(
        session, engine, worker, child.id, born_on=born, given_name="Leo", family_name="Lewis"
    )


def moved(session: Session, engine: Engine, given: str) -> None:
    """Business support moves a booked conference to the next working day with the other
    chair, so the conference page shows the move and the second set of invitations."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    conference = session.scalars(select(Conference).where(Conference.child_id == child.id)).one()
    rescheduling.reschedule(
        session,
        engine,
        user_by_username(session, "bs1"),
        conference.id,
        on=workdays.add_working_days(conference.scheduled_on, 1),
        at="14:00",
        venue="Town Hall, committee room 1",
        chair="chair2",
        reason="The first chair is ill; the family asked for an afternoon start.",
    )


PARENT_FEEDBACK = {
    "understood_why": "yes",
    "reports_in_time": "partly",
    "listened_to": "yes",
    "know_next_steps": "yes",
    "overall": "4",
    "comments": "I had the social worker's report two days before; I would have liked more time.",
}
PROFESSIONAL_FEEDBACK = {
    "reports_in_time": "yes",
    "well_chaired": "yes",
    "decision_clear": "yes",
    "plan_clear": "partly",
    "overall": "4",
    "comments": "Clear decision; the plan's timescales could be sharper.",
}


def diagram_history(session: Session, engine: Engine) -> None:
    """The process owner tried fortnightly core groups, then went back to version 1."""
    owner = user_by_username(session, "po1")
    first = latest_version(session, "core_group")
    fortnightly = first.bpmn_xml.replace('7 * setting("core_group_interval_weeks")', "14", 1)
    now = engine.clock.now()
    diagram_editing.deploy(
        session,
        owner,
        "core_group",
        fortnightly,
        "Trial: core groups every 2 weeks",
        forms.exists,
        now,
    )
    diagram_editing.roll_back(
        session,
        owner,
        "core_group",
        first.id,
        "Chairs found fortnightly meetings too close",
        forms.exists,
        now,
    )


def form_draft(session: Session, engine: Engine) -> None:
    """The process owner is rewording a question of the core group form: a draft on
    **Forms**, deployed with the next core group version, the cases' form unchanged till then."""
    owner = user_by_username(session, "po1")
    key = "plan/core_group_meeting"
    field = form_editing.field_at(session, key, "1")
    if owner is None or field is None or field.get("name") != "core_group_attendees":
        return
    clearer = {**field, "hint": "Their names and roles, one a line, and who sent apologies"}
    form_editing.change_field(session, owner, key, "1", clearer, engine.clock.now())


def _word_report() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Police report for the conference", level=1)
    document.add_paragraph(SAMPLE_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def administration_area(session: Session, engine: Engine) -> None:
    """What the administration area shows: a service account with a token that expires and
    one revoked, a leaver deactivated, a newcomer on a temporary password."""
    now = engine.clock.now()
    admin = user_by_username(session, "admin")
    with transaction(session):
        accounts.create_user(
            session,
            "cms",
            "Case management system",
            "cms-support@example.invalid",
            ["team_manager"],
            team="North",
            service_account=True,
        )
    tokens.create(session, "cms", "nightly sync", "admin", now, now + timedelta(days=90), admin)
    old, _secret = tokens.create(session, "cms", "old report script", "admin", now, actor=admin)
    tokens.revoke(session, old.id, "admin", now, admin)
    leaver, _errors = administration.create(
        session, admin, "sw_left", "Lee Leaver", "lee@example.invalid", ["social_worker"],
        "North", None, now,
    )  # fmt: skip
    administration.deactivate(session, admin, leaver, now)
    administration.create(
        session, admin, "sw_new", "Nia Newcomer", "nia@example.invalid", ["social_worker"],
        "South", "welcome to the borough", now,
    )  # fmt: skip


def teams_and_settings(session: Session, engine: Engine) -> None:
    """Alex Morgan manages South as well as North (a manager of several teams), an empty
    team waits for its people, and the council settings have a second version: last of all,
    so every date above was computed with the installed settings."""
    now = engine.clock.now()
    admin = user_by_username(session, "admin")
    team_admin.add(session, admin, "Court team", now)
    south = teams.by_name(session, "South")
    team_admin.set_managers(session, admin, south.id, [user_by_username(session, "tm1").id], now)
    settings_changes.change(
        session,
        admin,
        {"conference_chair_phone": "01234 567899"},
        "The conference chairs have a new direct line.",
        now,
    )
