"""The list of what is withheld, as a reader reads it: a passage withheld from a second chair
is described to them as a passage, not quoted; the chair who agreed it reads it quoted."""

from __future__ import annotations

from engine.access import withholding
from tests.factories import make_user
from tests.processes.driver import Case, invited

PASSAGE = "Grace has started a course at Northtown College"


def test_a_passage_withheld_from_a_chair_is_not_quoted_to_them(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    invited(case)
    other_chair = make_user(db, "chair2", "conference_chair")
    case.withhold_passage(
        PASSAGE,
        "Her course would tell him where she is on Tuesdays.",
        f"Chair 2 teaches there: “{PASSAGE}” would identify her.",
        from_user_id=other_chair.id,
    )
    items = withholding.in_force(db, case.child.id)

    def read_by(user):
        values = withholding.values_hidden_from(db, user, case.child.id)
        [text] = withholding.item_texts(db, items, values).values()
        return text

    theirs, agreed_by = read_by(other_chair), read_by(case.staff["chair"])
    assert "Northtown College" not in theirs.description + theirs.reason
    assert theirs.description.startswith("A passage")
    assert PASSAGE in agreed_by.description and PASSAGE in agreed_by.reason
