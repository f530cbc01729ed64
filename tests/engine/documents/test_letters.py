"""Each family member's invitation says what a council's letter must: checked for a child of 8
and for a parent, in the rendered letter's own text."""

from __future__ import annotations

import re
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from engine.documents import document_data, document_render
from engine.models import Conference
from tests.processes.driver import Case, invited
from tests.reading_age import CHILD_GRADE, grade

FAMILY = [
    {"name": "Grace Okoye", "relationship": "Mother", "communication_needs": "Yoruba interpreter"},
    {"name": "Tom Okoye", "relationship": "Father"},
]
COMPLAINTS = "write to the Complaints Team, Demo Borough Council"


@pytest.fixture
def letters(db, engine, clock) -> dict[str, str]:
    """The invitation letters, by addressee, as their plain text."""
    case = Case(db, engine, clock, reload=False, born=date(2018, 6, 1))  # 8 in January 2027
    invited(case, family=FAMILY, child_invited=True, advocate="Jo Bell")
    row = db.scalars(select(Conference).where(Conference.child_id == case.child.id)).one()
    data = document_data.gather(db, row.id, "invitation", clock.today())
    html = BeautifulSoup(document_render.render_html(data), "html.parser")
    found = {}
    for letter in html.select("div.letter"):
        to = letter.find("p").text.removeprefix("To ").split(" (")[0]
        found[to] = re.sub(r"\s+", " ", letter.text)
    return found


def test_the_childs_letter_is_in_words_for_a_child(letters):
    child = letters["Amara Okoye"]
    assert "Dear Amara," in child and "A meeting about you" in child
    assert "on Monday 11 January 2027 at 10:00, at Civic Centre, room 2" in child
    assert "call 01234 567891" in child  # the chair's number
    assert "If you cannot come, or do not want to, that is OK" in child
    assert "does not decide where you live, and it does not decide about going to court" in child
    assert "by Thursday 7 January 2027" in child  # when the reports are written
    assert "to speak to you in your own language" in child
    assert COMPLAINTS in child
    # a child's reading age, leaving out the council's own complaints wording (a setting)
    assert grade(child.replace(COMPLAINTS, "")) <= CHILD_GRADE
    for grown_up in (
        "You will be sent the social worker's report",
        "proceedings",
        "Dear Amara Okoye",
    ):
        assert grown_up not in child


def test_a_parents_letter_says_what_a_council_promises(letters):
    mother, father = letters["Grace Okoye"], letters["Tom Okoye"]
    for parent in (mother, father):
        assert "on Monday 11 January 2027 at 10:00, at Civic Centre, room 2" in parent
        assert "call 01234 567891" in parent
        assert "If you cannot come, please tell us" in parent
        assert "does not decide whether there will be court proceedings" in parent
        assert "does not decide where Amara Okoye lives" in parent
        assert "before the conference, by Thursday 7 January 2027" in parent
        assert "If you need an interpreter, or this letter in another format" in parent
        assert f"you can complain: {COMPLAINTS}" in parent
    assert "We have noted that you need: Yoruba interpreter." in mother
    assert "We have noted" not in father


def test_professionals_letters_keep_to_the_report_request(letters):
    police = letters["Robin Hall"]
    assert "Please send a written report" in police
    assert "you can complain" not in police
