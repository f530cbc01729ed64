"""The demo's family conference: three brothers and sisters seen at one initial conference.

The Patel children are linked on their records, their conferences joined before the booking,
so the booking, the invitations and the chair's pre-contact are made once, on Maya's steps,
which do her brother's and sister's own (`engine.casework.family_steps`); the chair decides
for each child (two plans, in different categories, and a child in need plan for the
youngest), and the family gets one agenda, one set of letters and one set of minutes. The
Carter children are linked too, their conferences not yet joined, so the conference page
offers the join.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.casework import cases, family_conferences
from engine.models.conferences import Conference
from engine.models.people import Child, user_by_username
from engine.platform import workdays
from engine.platform.clock import LONDON, FixedClock
from engine.service import Engine

CHILDREN = (("Maya", "2013-05-09"), ("Ravi", "2016-10-30"), ("Sana", "2020-03-14"))
DECISIONS = ({"category": "NEG"}, {"category": "EMO"}, {"decision": "cin_plan", "category": None})
AGO = 40  # working days since the strategy discussions
FAMILY_STEPS = ("book_conference", "send_invitations", "chair_pre_contact")


def load(session: Session, engine: Engine, play, to_plan: list, came: dict) -> None:
    worker = user_by_username(session, "sw1")
    started = workdays.add_working_days(engine.clock.today(), -AGO)
    children = [
        cases.add_child(
            session, engine, worker, given, "Patel", workdays.as_date(born), worker, None
        )
        for given, born in CHILDREN
    ]
    for child in children:
        play(session, engine, child, started, "icpc", to_plan[:1])
    day = datetime.combine(workdays.add_working_days(started, 1), time(10), LONDON)
    story = Engine(clock=FixedClock(day.astimezone(UTC)), specs=engine.specs)
    first = _conference(session, children[0])
    for child in children[1:]:
        family_conferences.link_siblings(
            session, worker, story.clock.now(), children[0].id, child.id
        )
        family_conferences.join(session, story, worker, _conference(session, child).id, first.id)
    later = []
    for n, child in enumerate(children):
        steps = [step for step in to_plan[1:] if step[1] != "core_group_meeting"]
        if n:  # booked, invited and the parents contacted once: Maya's steps did theirs
            steps = [s for s in steps if s[1] not in FAMILY_STEPS]
        steps = [
            (at, spec, {**answers, **came, "decision": "cp_plan", **DECISIONS[n]})
            if spec == "hold_conference"
            else (at, spec, answers)
            for at, spec, answers in steps
        ]
        held = [spec for _at, spec, _answers in steps].index("hold_conference") + 1
        play(session, engine, child, started, "icpc", steps[:held], start=False)
        later.append((child, steps[held:]))
    # The letter and the minutes once every child is decided: the first child's steps send
    # the family's one set, and the others' steps record that it covered them.
    for child, steps in later:
        play(session, engine, child, started, "icpc", steps, start=False)
    _carters(session, worker, engine.clock.now() - timedelta(days=1))


def _conference(session: Session, child: Child) -> Conference:
    query = select(Conference).where(Conference.child_id == child.id).order_by(Conference.id)
    return session.scalars(query).first()


def _carters(session: Session, worker, now) -> None:
    ben, chloe = (
        session.scalars(
            select(Child).where(Child.given_name == g, Child.family_name == "Carter")
        ).one()
        for g in ("Ben", "Chloe")
    )
    family_conferences.link_siblings(session, worker, now, ben.id, chloe.id)
