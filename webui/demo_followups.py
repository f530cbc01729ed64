"""Demo steps for what follows a case's own story: a parents' report sent by its link, the
social worker's share step done before an agency's report came in, and a manager's
corrections of a conference's decision and of the day it was held.

Kept apart from `demo`'s stories because each acts on a case those stories left open, the
way staff and families would on the day the demo is loaded.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.casework import corrections, family_links
from engine.models.child_conferences import people_for_child
from engine.models.conferences import Conference
from engine.models.instances import READY, HumanTask
from engine.models.people import Child, user_by_username
from engine.platform import workdays
from engine.service import Engine

PARENTS_REPORT = {
    "strengths": "We get the children to school every day and we ask for help now.",
    "worries": "The flat is damp and the baby coughs at night.",
}


def parents_report_by_link(session: Session, engine: Engine, given: str) -> None:
    """The mother sends her report through her link: the social worker's "Record the
    parents' own report" step is done with it, nobody types it again."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    conference = session.scalars(select(Conference).where(Conference.child_id == child.id)).one()
    mother = next(p for p in people_for_child(session, child.id) if p.name == "Parent One")
    now = engine.clock.now()
    token = family_links.issue(
        session,
        child.social_worker,
        conference,
        mother.id,
        family_links.PARENT_REPORT,
        "parent.one@example.invalid",
        now,
    )
    labels = {f.name: f.label for f in forms.load("family/parent_report").fields}
    family_links.submit(session, token, PARENTS_REPORT, labels, now, engine)


def shared_before_the_agencies(session: Session, engine: Engine, given: str) -> None:
    """The social worker writes her report and shares the reports with the parents before
    the agencies' are in: the one that comes later goes to the parents when it arrives."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    query = select(HumanTask).where(
        HumanTask.child_id == child.id,
        HumanTask.task_spec == "social_worker_report",
        HumanTask.state == READY,
    )
    task = session.scalars(query).one()
    today = engine.clock.today().isoformat()
    answers = {
        "report_completed_date": today,
        "report_shared_date": today,
        "report_summary": "Mother engaging antenatally; no equipment for the baby yet.",
        "requests": [],
    }
    engine.complete(session, task.id, child.social_worker, answers)


def category_corrected(session: Session, engine: Engine, given: str) -> None:
    """The chair ticked neglect; the conference had agreed emotional abuse: a team manager
    corrects the category, and the plan follows."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    query = select(Conference).where(Conference.child_id == child.id, Conference.kind == "icpc")
    conference = session.scalars(query).one()
    corrections.correct(
        session,
        user_by_username(session, "tm1"),
        conference.id,
        {"category": "EMO"},
        "The conference agreed emotional abuse; the chair ticked neglect by mistake.",
        engine.clock.now(),
        engine,
    )


def held_date_corrected(session: Session, engine: Engine, given: str) -> None:
    """The chair recorded the day the conference was adjourned; it decided the next working
    day. A team manager corrects the day held: the first core group and review, running in
    workflows of their own, are due from the corrected day, their reminders with them."""
    child = session.scalars(select(Child).where(Child.given_name == given)).one()
    query = select(Conference).where(Conference.child_id == child.id, Conference.kind == "icpc")
    conference = session.scalars(query).one()
    corrections.correct(
        session,
        user_by_username(session, "tm1"),
        conference.id,
        {"held_date": workdays.add_working_days(conference.held_on, 1).isoformat()},
        "Adjourned on the first day; the conference met again and decided the next morning.",
        engine.clock.now(),
        engine,
    )
