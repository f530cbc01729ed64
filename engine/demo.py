"""Demo users, children and cases at several stages (for `make run`; never in production).

Cases are played forward through the real engine with a clock set in the past, so their due
dates, timers and overdue steps are exactly what the diagram would have produced.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, cases, workdays
from .clock import LONDON, FixedClock
from .db import transaction
from .models.instances import due_timer_instance_ids, open_tasks
from .models.people import Child, User, user_by_username
from .runtime import Engine

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
CHILDREN = [
    ("Amara", "Okoye", "2016-04-11", "sw1"),
    ("Ben", "Carter", "2019-09-02", "sw1"),
    ("Chloe", "Carter", "2021-01-23", "sw1"),
    ("Daniel", "Novak", "2012-07-30", "sw2"),
    ("Ella", "Price", "2018-02-14", "sw2"),
    ("Finn", "Walsh", "2015-11-05", "sw1"),
]


def load(session: Session, engine: Engine) -> str:
    if session.scalar(select(User.id).where(User.username == "sw1")) is not None:
        return "Demo data is already loaded."
    with transaction(session):
        for username, name, role_keys, team in USERS:
            accounts.create_user(
                session, username, name, f"{username}@example.invalid", role_keys, PASSWORD, team
            )
    today = engine.clock.today()
    children = {}
    for given, family, born, worker in CHILDREN:
        child = cases.add_child(
            session,
            engine,
            user_by_username(session, worker),
            given,
            family,
            workdays.as_date(born),
            user_by_username(session, worker),
        )
        children[given] = child
    stages = [
        ("Amara", 1, 0),  # strategy discussion to record
        ("Ben", 4, 1),  # conference to book
        ("Chloe", 4, 1),  # sibling, same stage
        ("Daniel", 9, 2),  # booked: invitations, report and pre-contact waiting
        ("Ella", 22, 1),  # never booked: ICPC now overdue, escalated to the team manager
    ]
    for given, working_days_ago, steps in stages:
        _play(session, children[given], today, working_days_ago, steps)
    _fire_due(session, engine)
    return f"Loaded {len(USERS)} users (password “{PASSWORD}”) and {len(children)} children."


def _play(session: Session, child: Child, today, working_days_ago: int, steps: int) -> None:
    """Start an ICPC some working days ago and complete its first `steps` steps then."""
    started = workdays.add_working_days(today, -working_days_ago)
    clock = FixedClock(datetime.combine(started, time(10, 0), LONDON).astimezone(UTC))
    engine = Engine(clock=clock)
    worker = child.social_worker
    instance = cases.start_conference(session, engine, worker, child.id)
    answers = [
        (
            "record_strategy_discussion",
            worker,
            {
                "strategy_discussion_date": started.isoformat(),
                "s47_start_date": started.isoformat(),
                "outcome": "icpc",
            },
        ),
        (
            "book_conference",
            user_by_username(session, "bs1"),
            {
                "conference_date": workdays.add_working_days(started, 12).isoformat(),
                "conference_time": "10:00",
                "venue": "Civic Centre, meeting room 2",
                "chair": "chair1",
            },
        ),
    ]
    for task_spec, actor, data in answers[:steps]:
        clock.advance(hours=1)
        task = next(t for t in open_tasks(session, instance.id) if t.task_spec == task_spec)
        engine.complete_task(session, task.id, actor, data)


def _fire_due(session: Session, engine: Engine) -> None:
    for instance_id in due_timer_instance_ids(session, engine.clock.now()):
        engine.fire_timers(session, instance_id)
