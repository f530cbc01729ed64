"""An instance's data as a manager reads it: nothing withheld from them, even cut short.

The workflow's data holds copies of the record (the family invited, with their addresses),
shown as Python writes lists and dictionaries and cut at 300 characters.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.casework import instance_view
from engine.models import AuditEvent, audit
from engine.models.instances import ProcessInstance
from tests.processes.driver import Case, invited

ADDRESS = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
PASSAGE = "Grace has started a course at Northtown College"
FAMILY = [
    {"name": "Tom Okoye", "relationship": "Father", "address": "4 Old Road\nSouthtown ST2 9ZZ"},
    {
        "name": "Ann Okoye",
        "relationship": "Grandmother",
        "address": "19 Longacre Road\nSouthtown ST",
    },
    {"name": "Grace Okoye", "relationship": "Mother", "address": ADDRESS},
]


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    invited(made, family=FAMILY)
    grace = made.person("Grace Okoye")
    made.withhold(
        "person", grace.id, "address", "He knows the father.", from_user_id=made.staff["tm"].id
    )
    return made


def shown_to(case, username: str, data: dict) -> dict[str, str]:
    instance = case.db.scalars(
        select(ProcessInstance).where(ProcessInstance.child_id == case.child.id)
    ).first()
    withheld = withholding.values_hidden_from(case.db, case.staff[username], case.child.id)
    return dict(instance_view.for_instance(case.db, instance, data, withheld).data)


def test_a_withheld_address_cut_short_shows_none_of_it(case):
    """The family list is longer than 300 characters and the cut falls in the mother's
    address: what is left of its last line must not show either."""
    family = [{k: p[k] for k in ("name", "relationship", "address")} for p in FAMILY]
    assert repr(family).find("Northtown") < 297 < repr(family).find("Northtown") + 9
    shown = shown_to(case, "tm", {"family": family})["family"]
    for line in ADDRESS.splitlines():
        assert line[:6] not in shown
    assert "Withheld" in shown
    assert "8 Quiet Lane" in shown_to(case, "sm", {"family": family})["family"]


def test_a_withheld_passage_broken_over_lines_in_a_list_is_taken_out(case):
    """A passage withheld from the manager, quoted over two lines in a plan action: a list
    shows the line break as the two characters \\n, across which it must still be found."""
    case.withhold_passage(
        PASSAGE,
        "Her course would tell him where she is on Tuesdays.",
        "He knows the father.",
        from_user_id=case.staff["tm"].id,
    )
    actions = [{"what": "Grace has started a course\nat Northtown College; keep it up."}]
    shown = shown_to(case, "tm", {"actions": actions})["actions"]
    assert "course" not in shown and "Withheld; keep it up" in shown


def test_the_history_is_read_without_what_is_withheld_from_the_reader(case):
    """A correction's audited old and new words quote the mother's address (in capitals):
    the manager it is withheld from reads the instance's history without it; the audit row
    itself is unchanged, and the service manager reads it all."""
    db = case.db
    instance = db.scalars(
        select(ProcessInstance).where(ProcessInstance.child_id == case.child.id)
    ).first()
    words = "She lives at FLAT 2, REFUGE HOUSE, 8 QUIET LANE now"
    audit.record(
        db,
        case.staff["sm"],
        "conference.corrected",
        case.clock.now(),
        instance_id=instance.id,
        child_id=case.child.id,
        changes={"safety_plan": {"old": "Unknown.", "new": words}},
        reason="Her address was missing.",
    )
    db.commit()

    def read_by(username: str) -> str:
        withheld = withholding.values_hidden_from(db, case.staff[username], case.child.id)
        return repr([e.detail for e in instance_view.events_for(db, instance.id, withheld)])

    assert "She lives at Withheld" in read_by("tm") and "QUIET" not in read_by("tm")
    assert words in read_by("sm")
    stored = db.scalars(select(AuditEvent).where(AuditEvent.action == "conference.corrected"))
    assert stored.one().detail["changes"]["safety_plan"]["new"] == words
