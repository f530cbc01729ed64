"""Demo users, children and cases at every stage (for `make run`; never in production).

Each child's story is played through the real diagrams with a clock set in the past, so its
due dates, records, timers, reminders and escalations are exactly what the product would have
produced. Answers come from each step's own form: dates default to the day the step is done.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

import docx
from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.access import accounts
from engine.casework import cases, family_links, feedback
from engine.documents import report_files
from engine.models.conferences import Conference, people_for_child, reports_for
from engine.models.instances import READY, HumanTask, ProcessInstance
from engine.models.people import Child, User, user_by_username, users_with_role
from engine.platform import workdays
from engine.platform.clock import LONDON, FixedClock
from engine.platform.db import reusing, transaction
from engine.service import Engine
from engine.workflow import timers

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
FAMILY = [{"name": "Parent One", "relationship": "Mother"}]
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
        (12, "hold_conference", {"decision": "cp_plan", "category": category, "quorate": True}),
        (13, "decision_letter", {"plan_actions": _actions(13)}),
        (20, "send_minutes", {}),
        (21, "core_group_meeting", {}),
    ]


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


def _with_requests(steps):
    """The steps to a plan, with a father invited and two requests agreed by the chair."""
    changed = []
    for offset, task_spec, overrides in steps:
        if task_spec == "send_invitations":
            overrides = {**overrides, "family": [*FAMILY, FATHER]}
        elif task_spec == "social_worker_report":
            overrides = {**overrides, "requests": REQUESTS}
        changed.append((offset, task_spec, overrides))
        if task_spec == "social_worker_report":
            changed.append((offset, "decide_requests", {"requests": DECISIONS}))
    return changed


def _review(at: int, decision: str, category: str | None = "NEG"):
    """Book a review `at - 24` working days, hold it at `at`, letter and minutes after."""
    held = {"decision": decision, "quorate": True}
    if category:
        held["category"] = category
    return [
        (at - 24, "book_conference", {"conference_date": at}),
        (at - 23, "send_invitations", {"family": FAMILY, "agencies": AGENCIES[:1]}),
        (at - 4, "social_worker_report", {}),
        (at, "hold_review", held),
        (at + 1, "decision_letter", {"plan_actions": _actions(at + 1)}),
        (at + 5, "send_minutes", {}),
    ]


def _actions(offset: int):
    return [
        {"what": "Weekly home visits", "who": "Social worker", "by_when": offset + 40},
        {"what": "Attend parenting course", "who": "Parent One", "by_when": offset + 30},
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
    ("Daniel", "Novak", "2012-07-30", None, "sw2", 9, "icpc", _to_plan()[:3]),
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
            (14, "book_conference", {"conference_date": 17}),
            (14, "send_invitations", {"family": FAMILY, "agencies": AGENCIES[:1]}),
            (17, "hold_conference", {"decision": "cp_plan", "category": "PHY", "quorate": True}),
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
            accounts.create_user(
                session, username, name, f"{username}@example.invalid", role_keys, PASSWORD, team
            )
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
    return f"Loaded {len(USERS)} users (password “{PASSWORD}”) and {len(stories)} children."


def _play(session: Session, now: Engine, child: Child, started: date, kind: str, steps) -> None:
    """Start the child's conference on `started` and do each step on its working day.

    The story's engine has its own clock but shares the parsed diagrams of the real one.
    """
    clock = FixedClock(datetime.combine(started, time(9, 0), LONDON).astimezone(UTC))
    engine = Engine(clock=clock, specs=now.specs)
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


def _word_report() -> bytes:
    document = docx.Document()
    document.add_heading("Police report for the conference", level=1)
    document.add_paragraph(SAMPLE_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
