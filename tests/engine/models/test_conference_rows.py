"""A step's new people, invitations and reports, written without the flush: the rows a flush
would write, in the session as if read, and nothing remembered of their tables kept."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event, func, select

from engine.models import CasePerson, Invitation, Report, conference_rows, session_memo
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue
from tests.factories import add_conference, start_icpc

DAY = date(2026, 3, 16)


@contextmanager
def statements(db):
    """The statements sent on `db`'s connection while the block runs."""
    seen: list[str] = []
    bind = db.get_bind()

    def statement(_conn, _cursor, sql, *_rest):
        seen.append(sql.lstrip())

    event.listen(bind, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", statement)


@pytest.fixture
def conference(db, engine):
    _staff, child, instance = start_icpc(db, engine)
    return add_conference(db, instance, child, due_on=DAY)


def test_people_and_reports_are_written_and_kept_as_if_read(db, conference):
    mother = CasePerson(child_id=conference.child_id, kind="family", name="Grace Okoye")
    police = CasePerson(child_id=conference.child_id, kind="professional", name="DC Hall")
    police.relationship_or_agency, police.email = "police", "hall@police.invalid"
    with transaction(db):
        conference_rows.add_as_read(db, [mother, police])
        report = Report(conference_id=conference.id, kind="agency", person_id=police.id)
        conference_rows.add_as_read(db, [report])
        with statements(db) as seen:
            # Every column is there, the model's default for the one it has: no SQL.
            assert (mother.relationship_or_agency, mother.phone) == ("", None)
            assert report.submitted_on is None and report.person_id == police.id
            assert db.get(CasePerson, police.id) is police
            assert db.get(Report, report.id) is report
        assert not db.dirty and not db.new and seen == []
    rows = db.execute(select(CasePerson.name, CasePerson.relationship_or_agency)).all()
    assert sorted(rows) == [("DC Hall", "police"), ("Grace Okoye", "")]
    assert db.scalar(select(Report.person_id)) == police.id


def test_invitations_are_written_in_one_statement(db, conference):
    people = [CasePerson(child_id=conference.child_id, kind="family", name=n) for n in "AB"]
    with transaction(db):
        conference_rows.add_as_read(db, people)
        pairs = [(people[0].id, "parent"), (people[1].id, "child")]
        with statements(db) as seen:
            conference_rows.insert_invitations(db, conference.id, DAY, pairs)
    assert len([s for s in seen if s.startswith("INSERT")]) == 1
    rows = db.execute(
        select(Invitation.person_id, Invitation.role, Invitation.invited_on, Invitation.attended)
    ).all()
    assert sorted(rows) == sorted((p, r, DAY, None) for p, r in pairs)


def test_what_was_remembered_of_the_tables_is_read_again(db, conference):
    tables = frozenset({"invitations"})

    def count():
        return db.scalar(select(func.count()).select_from(Invitation))

    with transaction(db):
        assert session_memo.remembered(db, tables, ("count",), count) == 0
        person = CasePerson(child_id=conference.child_id, kind="family", name="A")
        conference_rows.add_as_read(db, [person])
        conference_rows.insert_invitations(db, conference.id, DAY, [(person.id, "parent")])
        assert session_memo.remembered(db, tables, ("count",), count) == 1


def test_an_over_long_value_is_refused_before_any_sql(db, conference):
    person = CasePerson(child_id=conference.child_id, kind="family", name="N" * 201)
    with statements(db) as seen, pytest.raises(InvalidValue) as caught:
        conference_rows.add_as_read(db, [person])
    assert caught.value.fields == {"name": "Name must be 200 characters or fewer"}
    assert seen == []
    db.rollback()


def test_a_row_left_from_a_rolled_back_step_gives_way(db, conference):
    """SQLite gives a rolled-back row's id again: the expired object the session kept of it
    is not the row now written."""
    first = CasePerson(child_id=conference.child_id, kind="family", name="Gone")
    conference_rows.add_as_read(db, [first])
    db.rollback()
    again = CasePerson(child_id=conference.child_id, kind="family", name="Kept")
    with transaction(db):
        conference_rows.add_as_read(db, [again])
    assert db.get(CasePerson, again.id) is again
    assert db.scalar(select(CasePerson.name)) == "Kept"
