"""A review's invitations start from the child's last held conference, as the session holds
it, with the child's conferences read once however many lists the form opens with."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import previous_invitees
from engine.models import Conference
from tests.engine.workflow.test_completion_statements import reads_of, statements
from tests.processes.driver import Case, on_a_plan


@pytest.fixture
def case(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    return case


def held_and_review(case: Case) -> tuple[Conference, Conference]:
    """The initial conference, held, and the first review its plan opened."""
    query = select(Conference).where(Conference.child_id == case.child.id)
    held, review = case.db.scalars(query.order_by(Conference.id)).all()
    assert held.held_on is not None and review.held_on is None
    return held, review


def test_the_review_opens_with_the_last_held_conference_s_invitees_read_once(case):
    held, review = held_and_review(case)
    with statements(case.db) as seen:
        family = previous_invitees.previous_family(review.id, case.db)
        agencies = previous_invitees.previous_agencies(review.id, case.db)
    assert family and all(set(f) == {"name", "relationship"} for f in family)
    assert agencies and all(f["agency"] for f in agencies)
    assert reads_of(seen, "conferences") == 1  # the held days, both lists; the row is held
    assert family == previous_invitees.family_invited(case.db, held)
    case.db.commit()
    case.db.expunge(held)  # as a later request finds it: not read yet
    with statements(case.db) as seen:
        assert previous_invitees.previous_agencies(review.id, case.db) == agencies
    assert reads_of(seen, "conferences") == 2  # the held days, then the last held one


def test_a_conference_held_in_this_step_not_yet_saved_counts_and_one_undone_does_not(case):
    held, review = held_and_review(case)
    held.held_on = None  # not flushed: a step's script does not autoflush
    with case.db.no_autoflush:
        assert previous_invitees.previous_family(review.id, case.db) == []
        held.held_on = date(2027, 1, 11)
        assert previous_invitees.previous_family(review.id, case.db)
        review.held_on = date(2027, 4, 1)
        assert previous_invitees.previous_family(review.id, case.db) == []  # review's own
