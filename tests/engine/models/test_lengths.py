"""Over-long text is refused field by field before any SQL: SQLite would keep it, PostgreSQL
would fail the whole step with a database error."""

import pytest
from sqlalchemy import func, select

from engine.models import CasePerson, Conference, Invitation, Report
from engine.models.lengths import limit, table_limit
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue
from tests.factories import BOOKING, complete, make_staff, ready, start_icpc, strategy_recorded


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def at_booking(db, engine):
    staff, child, instance = start_icpc(db, engine)
    strategy_recorded(db, engine, instance.id, staff)
    return staff, child, instance


def test_limits_are_read_from_the_models():
    assert limit(CasePerson.relationship_or_agency) == 120
    assert table_limit("conferences.venue") == limit(Conference.venue) == 200
    with pytest.raises(KeyError):
        table_limit("conferences.harm")  # unbounded text
    with pytest.raises(ValueError):
        limit(Conference.harm)


def test_a_record_function_refuses_an_over_long_value_and_the_step_saves_nothing(db, engine):
    staff, _child, instance = at_booking(db, engine)
    with pytest.raises(InvalidValue) as caught:
        complete(
            db,
            engine,
            instance.id,
            "book_conference",
            staff["bs"],
            conference_date="2026-03-16",
            conference_time="10:00",
            venue="V" * 201,
            chair="chair",
        )
    assert caught.value.fields == {"venue": "Venue must be 200 characters or fewer"}
    assert db.scalar(select(Conference.venue)) is None
    assert "book_conference" in ready(db, instance.id)


def test_an_invitation_with_an_over_long_relationship_writes_no_person(db, engine):
    staff, _child, instance = at_booking(db, engine)
    complete(db, engine, instance.id, "book_conference", staff["bs"], **BOOKING)
    people, invitations, reports = count(db, CasePerson), count(db, Invitation), count(db, Report)
    with pytest.raises(InvalidValue) as caught:
        complete(
            db,
            engine,
            instance.id,
            "send_invitations",
            staff["bs"],
            invitations_sent_date="2026-03-02",
            family=[{"name": "Grace Okoye", "relationship": "r" * 121}],
            child_invited=False,
            agencies=[{"agency": "police", "name": "Robin Hall", "username": "police"}],
            parent_report_expected=False,
        )
    assert set(caught.value.fields) == {"relationship_or_agency"}
    assert (count(db, CasePerson), count(db, Invitation), count(db, Report)) == (
        people,
        invitations,
        reports,
    )
    assert "send_invitations" in ready(db, instance.id)


def test_any_session_refuses_an_over_long_value_before_it_flushes(db):
    make_staff(db)
    with pytest.raises(InvalidValue) as caught, transaction(db):
        db.add(CasePerson(child_id=1, kind="family", name="n" * 201, phone="1" * 41))
    assert caught.value.fields == {
        "name": "Name must be 200 characters or fewer",
        "phone": "Phone must be 40 characters or fewer",
    }
    assert count(db, CasePerson) == 0
