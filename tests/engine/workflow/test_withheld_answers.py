"""A form opened on earlier answers that quote text withheld from the person doing it.

The chair deciding the social worker's requests is shown each request as recorded; here one
quotes the mother's new address, which (for this test) is withheld from that chair. They read
it with the address taken out, and sending the request back as shown keeps the recorded words:
"Withheld" is never written over the record. Changing those words is refused.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access.withheld_text import WITHHELD
from engine.models import ConferenceRequest
from engine.models.instances import READY, HumanTask
from engine.platform.errors import InvalidValue
from engine.workflow import withheld_answers
from tests.processes.driver import Case, invited

ADDRESS = "Flat 2, Refuge House, 8 Quiet Lane, Northtown"
DETAILS = f"Grace has moved to {ADDRESS}. Keep it from Tom."
FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "address": ADDRESS},
    {"name": "Tom Okoye", "relationship": "Father"},
]
REQUEST = {
    "kind": "withhold",
    "details": DETAILS,
    "person": "Grace Okoye",
    "field": "address",
    "withheld_from": "Tom Okoye",
}
DECISION = {"decision": "agreed", "reason": "Risk of harm to the mother."}


@pytest.fixture
def case(db, engine, clock):
    return address_in_a_request(db, engine, clock)


def address_in_a_request(db, engine, clock) -> Case:
    """Requests waiting for the chair's decision, one quoting the address kept from them."""
    made = Case(db, engine, clock, reload=False)
    invited(made, family=FAMILY)
    made.at("2027-01-06 11:00")
    for task in made.all_ready("agency_report"):
        made.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    made.do("social_worker_report", requests=[REQUEST])
    grace = made.person("Grace Okoye")
    reason = "For this test: the chair knows the father."
    made.withhold("person", grace.id, "address", reason, "tm", from_user_id=made.staff["chair"].id)
    made.at("2027-01-08 11:00")
    return made


def opened(case, who="chair"):
    task = case.ready()["decide_requests"]
    recorded = case.engine.task_data(case.db, task)
    shown, held = withheld_answers.as_read(case.db, case.staff[who], case.child.id, recorded)
    return task, shown, held


def test_the_chair_reads_the_request_without_the_address_and_is_told_why(case):
    _task, shown, held = opened(case)
    assert held == {"requests", "family"}  # the invited family, with her address, too
    [row] = shown["requests"]
    assert row["details"] == f"Grace has moved to {WITHHELD}. Keep it from Tom."
    assert ADDRESS not in repr(shown)
    # The social worker, from whom nothing is withheld, reads it all.
    assert opened(case, "sw")[1]["requests"][0]["details"] == DETAILS
    assert opened(case, "sw")[2] == set()


def test_sending_the_request_back_as_shown_keeps_the_recorded_words(case, db):
    task, shown, _held = opened(case)
    [row] = shown["requests"]
    answer = [{**row, "details": row["details"].replace(". ", ".\r\n"), **DECISION}]
    case.engine.complete(db, task.id, case.staff["chair"], {"requests": answer})
    [request] = db.scalars(select(ConferenceRequest)).all()
    assert (request.details, request.decision) == (DETAILS, "agreed")
    done = db.get(HumanTask, task.id)
    stored = case.engine.task_data(db, done)["requests"]  # what the step recorded
    assert done.state != READY and stored[0]["details"] == DETAILS
    assert stored[0]["reason"] == DECISION["reason"]  # the rest of the row as answered


@pytest.mark.parametrize(
    "changed",
    [
        lambda row: {**row, "details": "Grace has moved. Keep it from Tom."},
        lambda row: {**row, "details": row["details"].replace(WITHHELD, "the old flat")},
    ],
)
def test_changing_the_words_that_hold_the_address_is_refused_and_saves_nothing(case, db, changed):
    task, shown, _held = opened(case)
    answer = [{**changed(shown["requests"][0]), **DECISION}]
    with pytest.raises(InvalidValue) as refused:
        case.engine.complete(db, task.id, case.staff["chair"], {"requests": answer})
    assert "withheld from you" in refused.value.fields["requests"]
    db.rollback()
    assert db.get(HumanTask, task.id).state == READY
    assert db.scalars(select(ConferenceRequest)).one().decision is None


def test_taking_out_the_request_that_holds_the_address_is_refused(case, db):
    task, _shown, _held = opened(case)
    with pytest.raises(InvalidValue):
        case.engine.complete(db, task.id, case.staff["chair"], {"requests": []})
