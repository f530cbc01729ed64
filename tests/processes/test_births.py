"""Recording the birth of a child on a pre-birth case (issue 22)."""

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import births
from engine.models import AuditEvent, Conference
from engine.platform.errors import InvalidValue, NotAllowed
from engine.reporting import census
from tests.processes.driver import Case


def conference(case, kind) -> Conference:
    return case.db.scalars(select(Conference).where(Conference.kind == kind)).one()


@pytest.fixture
def unborn(db, engine, clock):
    """A pre-birth conference booked for 19 February 2027, the baby expected on 15 April."""
    case = Case(db, engine, clock, reload=True, expected_date_of_birth=date(2027, 4, 15))
    case.at("2027-02-01 09:00")
    case.start("pre_birth")
    case.do("record_strategy_discussion", strategy_discussion_date="2027-02-01")
    case.do("book_conference", conference_date="2027-02-19")
    case.do("send_invitations", invitations_sent_date="2027-02-01")
    return case


def born(case, **changes):
    answers = {"born_on": date(2027, 2, 10), "given_name": "Lily", "family_name": "Okoye"}
    return births.record_birth(
        case.db, case.engine, case.staff["sw"], case.child.id, **{**answers, **changes}
    )


def test_a_birth_before_the_conference_sets_the_review_from_the_real_date(unborn):
    case = unborn
    case.at("2027-02-12 10:00")
    born(case)
    case.at("2027-02-19 15:00")
    case.do("hold_conference", held_date="2027-02-19")
    # 10 working days after the birth on 10 February, not after the expected 15 April.
    assert conference(case, "rcpc").due_on == date(2027, 2, 24)


def test_a_birth_long_before_the_conference_leaves_the_review_at_3_months(unborn):
    case = unborn
    case.at("2027-02-12 10:00")
    born(case, born_on=date(2027, 2, 1))
    case.at("2027-02-19 15:00")
    case.do("hold_conference", held_date="2027-02-19")
    assert conference(case, "rcpc").due_on == date(2027, 5, 19)


def test_the_child_is_counted_as_born_with_the_name_given(unborn):
    case = unborn
    case.at("2027-02-12 10:00")
    child = born(case)
    case.db.expire_all()
    assert (child.full_name, child.date_of_birth) == ("Lily Okoye", date(2027, 2, 10))
    assert child.expected_date_of_birth == date(2027, 4, 15)  # kept as history
    event = case.db.scalars(select(AuditEvent).where(AuditEvent.action == "child.born")).one()
    assert event.detail["born_on"] == "2027-02-10"
    case.at("2027-02-19 15:00")
    case.do("hold_conference", held_date="2027-02-19")
    [items] = census.collect(case.db, census.CensusYear.ending(2027))
    assert (items.reference, items.birth_date, items.expected_birth_date) == (
        case.child.reference,
        date(2027, 2, 10),
        date(2027, 4, 15),
    )


@pytest.mark.parametrize(
    ("who", "changes", "refusal", "field"),
    [
        ("police", {}, NotAllowed, None),
        ("sw", {"born_on": date(2027, 2, 13)}, InvalidValue, "date_of_birth"),
        ("sw", {"born_on": date(2026, 6, 1)}, InvalidValue, "date_of_birth"),
        ("sw", {"given_name": " "}, InvalidValue, "given_name"),
    ],
)
def test_a_birth_that_cannot_be_right_is_refused(unborn, who, changes, refusal, field):
    case = unborn
    case.at("2027-02-12 10:00")
    with pytest.raises(refusal) as refused:
        births.record_birth(
            case.db,
            case.engine,
            case.staff[who],
            case.child.id,
            **{"born_on": date(2027, 2, 10), "given_name": "Lily", "family_name": "O", **changes},
        )
    if field:
        assert field in refused.value.fields
    case.db.expire_all()
    assert case.child.date_of_birth is None


def test_a_birth_is_recorded_once(unborn):
    case = unborn
    case.at("2027-02-12 10:00")
    born(case)
    with pytest.raises(InvalidValue, match="already recorded"):
        born(case)
