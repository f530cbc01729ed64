"""The case story is read for the person looking: text withheld from them is not in it.

The mother's phone is withheld from the police officer and the team manager. The chair
records the police's dissent quoting it (written without its space), the plan's action
quotes it in capitals' stead, and so does the explanation of a late step.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.casework import case_summary, timeline
from engine.models import CasePerson, Conference
from tests.processes.driver import Case, held

PHONE = "07700 900456"
DISSENT = "Police think she can be reached on 07700900456 and a plan is not needed."
ACTION = "Ring Grace weekly on 07700-900-456"


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    actions = [{"what": ACTION, "who": "Social worker", "by_when": "2027-02-01"}]
    held(made, plan_actions=actions)
    db.scalars(
        select(Conference).order_by(Conference.id)
    ).first().dissent = DISSENT  # as the chair recorded it
    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    grace.phone = PHONE
    db.commit()
    for audience in ("user:police", "user:tm"):
        withholding.withhold(
            db,
            made.staff["chair"],
            made.child.id,
            "person",
            grace.id,
            "phone",
            audience,
            "She has fled.",
            clock.now(),
        )
    return made


def read(story: timeline.CaseStory) -> str:
    words = [f"{e.title} {e.detail}" for e in story.entries]
    for actions in story.summary.actions.values():
        words += [f"{a.what} {a.who}" for a in actions]
    return "\n".join(words)


def withheld_from(case, username: str) -> list[str]:
    return withholding.values_hidden_from(case.db, case.staff[username], case.child.id)


def test_the_officer_invited_reads_the_dissent_without_the_phone(case):
    police = case.staff["police"]
    story = timeline.for_invited(case.db, case.child.id, police.id, withheld_from(case, "police"))
    text = read(story)
    assert "Dissent recorded: Police think she can be reached on Withheld" in text
    assert "900456" not in text


def test_the_manager_reads_the_story_and_the_plan_without_the_phone(case):
    text = read(timeline.for_child(case.db, case.child.id, withheld_from(case, "tm")))
    assert "Ring Grace weekly on Withheld" in text and "900456" not in text
    summary = case_summary.for_reader(
        case.db, case.child.id, case.staff["tm"].id, True, withheld_from(case, "tm")
    )
    assert ACTION not in str([a.what for found in summary.actions.values() for a in found])
    social_worker = read(timeline.for_child(case.db, case.child.id, withheld_from(case, "sw")))
    assert DISSENT in social_worker and ACTION in social_worker
    conference = case.db.scalars(select(Conference).order_by(Conference.id)).first()
    assert conference.dissent == DISSENT  # nothing taken out is written back
