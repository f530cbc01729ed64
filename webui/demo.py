"""Demo users, children and cases at every stage (for `make run`; never in production).

Each child's story is played through the real diagrams with a clock set in the past, so its
due dates, records, timers, reminders and escalations are exactly what the product would have
produced. Answers come from each step's own form: dates default to the day the step is done.
"""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, date, datetime, time, timedelta

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
from engine.diagrams.version_moves import Selection, VersionMoves
from engine.documents import print_queue, report_files
from engine.models import teams
from engine.models.conferences import Conference, agency_label, people_for_child, reports_for
from engine.models.instances import READY, HumanTask, ProcessInstance
from engine.models.outbox import OutboxMessage
from engine.models.people import Child, User, user_by_username, users_with_role
from engine.models.processes import latest_version
from engine.models.professional_links import PostedLetter
from engine.platform import settings, workdays
from engine.platform.clock import LONDON, FixedClock
from engine.platform.db import reusing, transaction
from engine.platform.errors import StepFailed
from engine.service import Engine
from engine.workflow import timers
from webui import demo_family, demo_followups, demo_processes

PASSWORD = "demo"
USERS = [
    ("sw1", "Sam Taylor", ["social_worker"], "North"),
    ("sw2", "Priya Shah", ["social_worker"], "North"),
    ("tm1", "Alex Morgan", ["team_manager"], "North"),
    ("sm1", "Jordan Lee", ["service_manager"], None),
    ("chair1", "Chris Evans", ["conference_chair"], None),
    ("chair2", "Dana Okafor", ["conference_chair"], None),
    ("bs1", "Pat Hughes", ["business_support"], None),
    ("police1", "Robin Hall", ["agency_professional"], None),
    ("po1", "Morgan Blake", ["process_owner"], None),
    ("admin", "Casey Admin", ["administrator"], None),
]
FAMILY = [
    {
        "name": "Parent One",
        "relationship": "Mother",
        "communication_needs": "Polish interpreter; letters in large print",
    }
]
AGENCIES = [
    {"agency": "police", "name": "Robin Hall", "username": "police1"},
    {"agency": "health_visitor", "name": "Jo Green", "email": "hv@example.invalid"},
]
WHO = {
    "record_strategy_discussion": "social_worker",
    "record_transfer_notification": "social_worker",
    "social_worker_report": "social_worker",
    "parent_report": "social_worker",
    "core_group_meeting": "social_worker",
    "record_plan_ending": "social_worker",
    "chair_pre_contact": "chair1",
    "decide_requests": "chair1",
    "hold_conference": "chair1",
    "hold_review": "chair1",
}
SAMPLE_TEXT = "Recorded for the demonstration."


def _to_plan(category="NEG"):
    """The steps from strategy discussion to a plan with its first core group (working days)."""
    return [
        (0, "record_strategy_discussion", {"outcome": "icpc"}),
        (2, "book_conference", {"conference_date": 12}),
        (3, "send_invitations", {"family": FAMILY, "agencies": AGENCIES}),
        (8, "agency_report", {}),
        (8, "agency_report", {}),
        (10, "social_worker_report", {}),
        (11, "chair_pre_contact", {}),
        (12, "hold_conference", {"decision": "cp_plan", "category": category, **_came()}),
        (13, "decision_letter", {}),
        (20, "send_minutes", {}),
        (21, "core_group_meeting", {}),
    ]


def _parents_report_asked():
    """Up to the invitations, with the parents' own report asked for (sent by link)."""
    steps = _to_plan()[:3]
    offset, name, answers = steps[2]
    return [*steps[:2], (offset, name, {**answers, "parent_report_expected": True})]


# A father the chair keeps apart: the mother's address withheld from him, and the police
# report discussed without him. The social worker asks; the chair agrees both before the day.
FATHER = {"name": "Parent Two", "relationship": "Father"}
REQUESTS = [
    {
        "kind": "withhold",
        "details": "Parent One has moved to a refuge; Parent Two must not learn the address.",
        "person": "Parent One",
        "field": "address",
        "withheld_from": "Parent Two",
    },
    {
        "kind": "exclude",
        "details": "Parent Two has threatened Parent One; the police ask to speak without him.",
        "person": "Parent Two",
    },
]
DECISIONS = [
    {**REQUESTS[0], "decision": "agreed", "reason": "Risk of harm to the mother and child."},
    {
        **REQUESTS[1],
        "decision": "agreed",
        "reason": "The police information could not be shared safely with him present.",
        "excluded_from": "The police report and the discussion of it",
    },
]
MOTHER_ADDRESS = "Flat 2, Refuge House, 8 Quiet Lane, Northtown"
# The police report and a passage of the social worker's report withheld from the father
# too: his copies of the documents and his family link leave them out.
GROUP = "Parent One goes to a support group at the Northtown family centre on Thursdays"
MORE_REQUESTS = [
    {
        "kind": "withhold",
        "details": "The police report names a third party.",
        "field": "report",
        "report": "Robin Hall",
        "withheld_from": "Parent Two",
    },
    {
        "kind": "withhold",
        "details": "The support group would tell Parent Two where she is each week.",
        "field": "passage",
        "passage": GROUP,
        "withheld_from": "Parent Two",
    },
]
# Who made the referral withheld from the whole family in one step: "all family members"
# covers both parents, and anyone in the family added to the case later.
REFERRER = "The referral came from the neighbour at number 14"
MORE_REQUESTS.append(
    {
        "kind": "withhold",
        "details": "The neighbour who called us must not be identifiable to the family.",
        "field": "passage",
        "passage": REFERRER,
        "withheld_from": "all family members",
    }
)
MORE_DECISIONS = [
    {**r, "decision": "agreed", "reason": "Risk of harm to the mother and child."}
    for r in MORE_REQUESTS[:2]
] + [{**MORE_REQUESTS[2], "decision": "agreed", "reason": "Risk of harm to the referrer."}]


def _with_requests(steps):
    """The steps to a plan, with a father invited and five requests agreed by the chair."""
    changed = []
    for offset, task_spec, overrides in steps:
        if task_spec == "send_invitations":
            addresses = [
                {**FAMILY[0], "address": MOTHER_ADDRESS.replace(", ", "\n")},
                {**FATHER, "address": "27 Mill Street\nSouthtown ST4 1AA"},
            ]
            overrides = {**overrides, "family": addresses}
        elif task_spec == "social_worker_report":
            summary = f"Home visits show warm care. {GROUP}, and it helps her. {REFERRER}."
            requests = [*REQUESTS, *MORE_REQUESTS]
            overrides = {**overrides, "report_summary": summary, "requests": requests}
        elif task_spec == "hold_conference":
            overrides = {**overrides, **_came((*FAMILY, FATHER, *AGENCIES))}
        changed.append((offset, task_spec, overrides))
        if task_spec == "social_worker_report":
            decisions = [*DECISIONS, *MORE_DECISIONS]
            changed.append((offset, "decide_requests", {"requests": decisions}))
    return changed


def _actions(offset: int):
    return [
        {"what": "Weekly home visits", "who": "Social worker", "by_when": offset + 40},
        {"what": "Attend parenting course", "who": "Parent One", "by_when": offset + 30},
    ]


def _came(people=(*FAMILY, *AGENCIES), **changes) -> dict:
    """The chair's attendance answers: everyone invited there in person, children's social
    care too, but for those named by first name (`Parent="apologies"`)."""
    rows = []
    for person in people:
        what = person.get("relationship") or agency_label(person["agency"])
        how = changes.get(person["name"].split()[0], "attended")
        row = {"name": f"{person['name']} ({what})", "attendance": how}
        rows.append({**row, "core_group": how == "attended"})
    return {
        "social_care_attended": True,
        "attendance": rows,
        **_DECIDED,
        "plan_actions": _actions(12),
    }


_DECIDED = {
    "decision_reasons": "The harm is likely to continue without a plan; the family accept help.",
    "plan_outcomes": "The child's health and daily care needs are met every day.",
}


# Jack's conference was booked late (the reason is the late reason's first draft) and went
# ahead with only the police there: the chair says why.
_JACK_LATE = "No chair was free within the 15 working days; the first free date was taken."
_BELOW_QUORUM = {
    **_came((*FAMILY, *AGENCIES[:1])),
    "quorum_reason": "The health visitor sent a full report and the risk of harm is too high "
    "to wait for another date.",
}


def _review(at: int, decision: str, category: str | None = "NEG"):
    """Book a review `at - 24` working days, hold it at `at`, letter and minutes after."""
    held = {"decision": decision, **_came(Parent="apologies"), "plan_actions": _actions(at)}
    if category:
        held["category"] = category
    return [
        (at - 24, "book_conference", {"conference_date": at}),
        (at - 23, "send_invitations", {"family": FAMILY, "agencies": AGENCIES}),
        (at - 4, "social_worker_report", {}),
        (at, "hold_review", held),
        (at + 1, "decision_letter", {}),
        (at + 5, "send_minutes", {}),
    ]


def _core_groups(first: int, until: int):
    """A core group about every six weeks (28 working days, inside the interval) until `until`."""
    return [(day, "core_group_meeting", {}) for day in range(first, until, 28)]


# (given, family, born or None, expected birth in days or None, worker, started wd ago,
#  conference type, steps)
STORIES = [
    ("Amara", "Okoye", "2016-04-11", None, "sw1", 1, "icpc", []),
    ("Ben", "Carter", "2019-09-02", None, "sw1", 4, "icpc", _to_plan()[:1]),
    ("Chloe", "Carter", "2021-01-23", None, "sw1", 4, "icpc", _to_plan()[:1]),
    ("Daniel", "Novak", "2012-07-30", None, "sw2", 9, "icpc", _parents_report_asked()),
    ("Ella", "Price", "2018-02-14", None, "sw2", 22, "icpc", _to_plan()[:1]),
    (
        "Jack",
        "Mills",
        "2017-06-19",
        None,
        "sw2",
        20,
        "icpc",
        [
            (0, "record_strategy_discussion", {"outcome": "icpc"}),
            (14, "book_conference", {"conference_date": 17, "booking_reason": _JACK_LATE}),
            (14, "send_invitations", {"family": FAMILY, "agencies": AGENCIES[:1]}),
            (17, "hold_conference", {"decision": "cp_plan", "category": "PHY", **_BELOW_QUORUM}),
        ],
    ),
    ("Finn", "Walsh", "2015-11-05", None, "sw1", 45, "icpc", _with_requests(_to_plan())),
    (
        "Grace",
        "Adams",
        "2014-03-08",
        None,
        "sw1",
        150,
        "icpc",
        sorted(
            _to_plan() + _core_groups(49, 150) + _review(74, "continue", "EMO"),
            key=lambda step: step[0],
        ),
    ),
    (
        "Harry",
        "Brown",
        "2013-10-21",
        None,
        "sw2",
        100,
        "icpc",
        sorted(
            _to_plan() + _core_groups(49, 74) + _review(74, "end_cin", None),
            key=lambda step: step[0],
        ),
    ),
    (
        "Isla",
        "Khan",
        "2011-05-02",
        None,
        "sw2",
        3,
        "transfer_in",
        [(0, "record_transfer_notification", {})],
    ),
    ("Baby", "Jones", None, 100, "sw1", 5, "pre_birth", _to_plan()[:3]),
    # A first review booked for two working days ahead: its chair's form starts from where
    # the initial conference left things (its map and the plan's actions).
    (
        "Kai",
        "Turner",
        "2016-09-12",
        None,
        "sw1",
        62,
        "icpc",
        sorted(
            _to_plan() + _core_groups(49, 62) + _review(64, "continue")[:3],
            key=lambda step: step[0],
        ),
    ),
]


def _census_stories() -> list[tuple]:
    """What the census return needs besides conferences: an enquiry that found no
    conference needed (the census says "ICPC not required")."""
    reason = "The family accepted help; no risk of significant harm was found."
    decided = {"outcome": "no_conference", "no_conference_reason": reason}
    steps = [(0, "record_strategy_discussion", decided)]
    return [("Nia", "Cole", "2015-02-03", None, "sw1", 20, "icpc", steps)]


def load(session: Session, engine: Engine) -> str:
    if session.scalar(select(User.id).where(User.username == "sw1")) is not None:
        return "Demo data is already loaded."
    with transaction(session):
        for username, name, role_keys, team in USERS:
            user = accounts.create_user(
                session, username, name, f"{username}@example.invalid", role_keys, team=team
            )
            # Demo accounts only: "demo" is far below the policy every real password meets.
            user.password_hash = accounts.hash_password(PASSWORD)
    today = engine.clock.today()
    stories = [*STORIES, *_census_stories()]
    for given, family, born, expected_in, worker, ago, kind, steps in stories:
        social_worker = user_by_username(session, worker)
        child = cases.add_child(
            session,
            engine,
            social_worker,
            given,
            family,
            workdays.as_date(born) if born else None,
            social_worker,
            today + timedelta(days=expected_in) if expected_in else None,
        )
        _play(session, engine, child, workdays.add_working_days(today, -ago), kind, steps)
    _fire_due(session, engine)
    _family_and_feedback(session, engine, "Finn")
    _open_request(session, engine, "Daniel")
    _diagram_history(session, engine)
    _diagram_failure(session, engine)
    _form_draft(session, engine)
    _administration(session, engine)
    demo_followups.shared_before_the_agencies(session, engine, "Baby")
    _external_professionals(session, engine)
    _late_reason_for_the_chair(session, engine)
    _moved(session, engine, "Daniel")
    demo_followups.parents_report_by_link(session, engine, "Daniel")
    _born(session, engine)
    _corrected(session, engine, "Grace")
    demo_followups.category_corrected(session, engine, "Finn")
    demo_followups.held_date_corrected(session, engine, "Jack")
    demo_family.load(session, engine, _play, _to_plan(), _came())
    demo_processes.load(session, engine)
    _teams_and_settings(session, engine)
    return f"Loaded {len(USERS)} users (password “{PASSWORD}”) and {len(stories)} children."


def _play(
    session: Session, now: Engine, child: Child, started: date, kind: str, steps, start=True
) -> None:
    """Start the child's conference on `started` (unless it is started) and do each step on
    its working day.

    The story's engine has its own clock but shares the parsed diagrams of the real one.
    """
    clock = FixedClock(datetime.combine(started, time(9, 0), LONDON).astimezone(UTC))
    engine = Engine(clock=clock, specs=now.specs)
    if start:
        cases.start_conference(session, engine, child.social_worker, child.id, kind)
    for offset, task_spec, overrides in steps:
        day = workdays.add_working_days(started, offset)
        moment = datetime.combine(day, time(11, 0), LONDON).astimezone(UTC)
        clock.set(max(moment, clock.now() + timedelta(minutes=5)))
        _fire_due(session, engine)
        task = _open_task(session, child, task_spec)
        actor = _actor(session, child, task)
        data = _answers(session, task.form_key, day, started, overrides)
        engine.complete(session, task.id, actor, data)


def _open_task(session: Session, child: Child, task_spec: str) -> HumanTask:
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(
            ProcessInstance.child_id == child.id,
            HumanTask.state == READY,
            HumanTask.task_spec == task_spec,
        )
        .order_by(HumanTask.created_at)
    )
    task = session.scalars(query).first()
    if task is None:
        raise LookupError(f"demo: {child.full_name} has no open “{task_spec}” step")
    return task


def _actor(session: Session, child: Child, task: HumanTask) -> User:
    if task.assignee_id is not None:
        return session.get(User, task.assignee_id)
    who = WHO.get(task.task_spec)
    if who == "social_worker":
        return child.social_worker
    if who:
        return user_by_username(session, who)
    return users_with_role(session, task.role)[0]


def _answers(session: Session, form_key: str, day: date, started: date, overrides: dict) -> dict:
    """A valid answer to every field of the form; whole numbers in `overrides` for date
    fields are working days after the story's start."""
    data = {}
    for field in forms.load(form_key).fields:
        if field.name in overrides:
            data[field.name] = _resolve(overrides[field.name], field, started)
        elif not field.required_if:
            value = _sample(session, field, day)
            if value is not None:
                data[field.name] = value
    return data


def _resolve(value, field, started: date):
    if field.type == "date" and isinstance(value, int):
        return workdays.add_working_days(started, value).isoformat()
    if field.type == "list" and isinstance(value, list):
        dated = {f.name for f in field.item_fields if f.type == "date"}
        return [
            {
                k: (workdays.add_working_days(started, v).isoformat() if k in dated else v)
                for k, v in item.items()
            }
            for item in value
        ]
    return value


def _sample(session: Session, field, day: date):
    if field.type == "date":
        return day.isoformat()
    if field.type in ("text", "textarea"):
        return SAMPLE_TEXT
    if field.type == "time":
        return "10:00"
    if field.type == "yes_no":
        return False
    if field.type == "list":
        return []
    if field.type in ("radios", "select", "checkboxes"):
        if field.options_from:
            role = field.options_from.partition(":")[2]
            first = users_with_role(session, role)[0].username if field.required else None
        else:
            first = field.options[0]["value"]
        return [first] if field.type == "checkboxes" else first
    return None


def _fire_due(session: Session, engine: Engine) -> None:
    """The timer sweep at the story's clock: reminders and escalations as they happened."""
    timers.sweep(reusing(session), engine, "demo")


def _family_and_feedback(session: Session, engine: Engine, given: str) -> None:
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
        ("parent_feedback", _PARENT_FEEDBACK),
        ("parent_feedback", None),
    ):
        token = family_links.issue(
            session, worker, conference, mother.id, purpose, "parent.one@example.invalid", now
        )
        if answers:
            family_links.submit(session, token, answers, {}, now)
    feedback.record_professional(session, police, conference, _PROFESSIONAL_FEEDBACK, now)


def _open_request(session: Session, engine: Engine, given: str) -> None:
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


def _external_professionals(session: Session, engine: Engine) -> None:
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
        posted_on = letter.queued_at.astimezone(LONDON).date()
        print_queue.posted(session, printer, letter.id, posted_on, now)


def _late_reason_for_the_chair(session: Session, engine: Engine) -> None:
    """Jack Mills's conference was late: the team manager has agreed the reason, and the
    chair's own agreement now waits in chair1's tasks (both are kept on the late step)."""
    jack = session.scalars(select(Child).where(Child.given_name == "Jack")).one()
    task = _open_task(session, jack, "agree_conference_held_late")
    answers = {
        "late_reason": "chair_availability",
        "late_explanation": "No chair was free in the timescale; the earliest was two days late.",
    }
    engine.complete(session, task.id, user_by_username(session, "tm1"), answers)


def _corrected(session: Session, engine: Engine, given: str) -> None:
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


def _born(session: Session, engine: Engine) -> None:
    """A pre-birth case whose plan started before the birth, and the birth recorded since:
    Leo is counted as born, and the census has his date of birth."""
    worker, today = user_by_username(session, "sw2"), engine.clock.today()
    expected = today + timedelta(days=10)
    child = cases.add_child(session, engine, worker, "Baby", "Lewis", None, worker, expected)
    _play(session, engine, child, workdays.add_working_days(today, -30), "pre_birth", _to_plan())
    born = today - timedelta(days=2)
    births.record_birth(
        session, engine, worker, child.id, born_on=born, given_name="Leo", family_name="Lewis"
    )


def _moved(session: Session, engine: Engine, given: str) -> None:
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


_PARENT_FEEDBACK = {
    "understood_why": "yes",
    "reports_in_time": "partly",
    "listened_to": "yes",
    "know_next_steps": "yes",
    "overall": "4",
    "comments": "I had the social worker's report two days before; I would have liked more time.",
}
_PROFESSIONAL_FEEDBACK = {
    "reports_in_time": "yes",
    "well_chaired": "yes",
    "decision_clear": "yes",
    "plan_clear": "partly",
    "overall": "4",
    "comments": "Clear decision; the plan's timescales could be sharper.",
}


def _diagram_history(session: Session, engine: Engine) -> None:
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


def _form_draft(session: Session, engine: Engine) -> None:
    """The process owner is rewording a question of the core group form: a draft on
    **Forms**, deployed with the next core group version, the cases' form unchanged till then."""
    owner = user_by_username(session, "po1")
    key = "plan/core_group_meeting"
    field = form_editing.field_at(session, key, "1")
    if owner is None or field is None or field.get("name") != "core_group_attendees":
        return
    clearer = {**field, "hint": "Their names and roles, one a line, and who sent apologies"}
    form_editing.change_field(session, owner, key, "1", clearer, engine.clock.now())


# A week count whose condition is never met: it passes the checks and runs until its limit.
LOOPING_WEEKS = """weeks = 0
while weeks != 7 * setting("core_group_interval_weeks") + 0.5:
    weeks = weeks + 1
"""
NEXT_MEETING = "<bpmn:script>if plan_is_open(plan_id):"


def _diagram_failure(session: Session, engine: Engine) -> None:
    """A process owner's slip and what it caused: a core group version whose script never
    ends, one case moved onto it that fails at its step, and the slip undone by a new
    version. That version's **Failed steps and timers** page shows the step and the case."""
    owner = user_by_username(session, "po1")
    good = latest_version(session, "core_group")
    query = select(HumanTask).where(
        HumanTask.task_spec == "core_group_meeting", HumanTask.state == READY
    )
    waiting = session.scalars(query.order_by(HumanTask.created_at)).first()
    if owner is None or good is None or waiting is None or NEXT_MEETING not in good.bpmn_xml:
        return
    now, today = engine.clock.now(), engine.clock.today()
    broken_xml = good.bpmn_xml.replace(
        NEXT_MEETING, f"<bpmn:script>{LOOPING_WEEKS}if plan_is_open(plan_id):"
    )
    broken, _new = diagram_editing.deploy(
        session,
        owner,
        "core_group",
        broken_xml,
        "Count the weeks to the next meeting",
        forms.exists,
        now,
    )
    VersionMoves(engine).migrate(
        session, owner, Selection("core_group", (waiting.instance_id,)), broken.id
    )
    task = _open_task(session, waiting.instance.child, "core_group_meeting")
    data = _answers(session, task.form_key, today, today, {})
    actor = _actor(session, task.instance.child, task)
    # The step fails, and is kept for the process owner: that is the point.
    with settings.using(expression_time_limit_seconds=0.2), contextlib.suppress(StepFailed):
        engine.complete(session, task.id, actor, data)
    diagram_editing.deploy(
        session,
        owner,
        "core_group",
        good.bpmn_xml,
        "Undo the week count: it never ended",
        forms.exists,
        now,
    )


def _word_report() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Police report for the conference", level=1)
    document.add_paragraph(SAMPLE_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _administration(session: Session, engine: Engine) -> None:
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


def _teams_and_settings(session: Session, engine: Engine) -> None:
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
