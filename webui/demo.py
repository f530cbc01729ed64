"""Demo users, children and cases at every stage (for `make run`; never in production).

Each child's story is played through the real diagrams with a clock set in the past, so its
due dates, records, timers, reminders and escalations are exactly what the product would have
produced. Answers come from each step's own form: dates default to the day the step is done.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import accounts
from engine.casework import cases
from engine.models.people import User, user_by_username
from engine.platform import workdays
from engine.platform.db import transaction
from engine.service import Engine
from webui import demo_failures, demo_family, demo_followups, demo_processes, demo_scenes
from webui.demo_playing import fire_due, play
from webui.demo_stories import PASSWORD, STORIES, USERS, came, census_stories, to_plan

__all__ = ["PASSWORD", "USERS", "load"]


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
    stories = [*STORIES, *census_stories()]
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
        play(session, engine, child, workdays.add_working_days(today, -ago), kind, steps)
    fire_due(session, engine)
    demo_scenes.family_and_feedback(session, engine, "Finn")
    demo_scenes.open_request(session, engine, "Daniel")
    demo_failures.timer_failure(session, engine)
    demo_scenes.diagram_history(session, engine)
    demo_failures.diagram_failure(session, engine)
    demo_scenes.form_draft(session, engine)
    demo_scenes.administration_area(session, engine)
    demo_followups.shared_before_the_agencies(session, engine, "Baby")
    demo_scenes.external_professionals(session, engine)
    demo_scenes.late_reason_for_the_chair(session, engine)
    demo_scenes.moved(session, engine, "Daniel")
    demo_followups.parents_report_by_link(session, engine, "Daniel")
    demo_scenes.baby_born(session, engine)
    demo_scenes.corrected(session, engine, "Grace")
    demo_followups.category_corrected(session, engine, "Finn")
    demo_followups.held_date_corrected(session, engine, "Jack")
    demo_family.load(session, engine, play, to_plan(), came())
    demo_processes.load(session, engine)
    demo_scenes.teams_and_settings(session, engine)
    return f"Loaded {len(USERS)} users (password “{PASSWORD}”) and {len(stories)} children."
