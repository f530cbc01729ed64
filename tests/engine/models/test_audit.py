"""The audit trail is append-only from the application's side."""

import pytest
from sqlalchemy import text

from engine.models import audit
from engine.platform.db import transaction
from tests.factories import make_user


def an_event(db, clock):
    user = make_user(db, "sw", "social_worker")
    with transaction(db):
        event = audit.record(db, user, "child.viewed", clock.now(), what="case page")
    return event


def test_an_event_cannot_be_changed_through_the_orm(db, clock):
    event = an_event(db, clock)
    event.action = "nothing.happened"
    with pytest.raises(audit.AuditIsAppendOnly):
        db.flush()
    db.rollback()


def test_an_event_cannot_be_deleted_through_the_orm(db, clock):
    event = an_event(db, clock)
    db.delete(event)
    with pytest.raises(audit.AuditIsAppendOnly):
        db.flush()
    db.rollback()


def test_on_postgresql_the_database_refuses_updates_and_deletes(db, clock, is_postgres):
    if not is_postgres:
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the ORM guard above")
    event = an_event(db, clock)
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(Exception, match="append-only"):
            db.execute(text(statement + f" WHERE id = {event.id}"))
        db.rollback()


def test_search_filters_by_person_child_action_and_time(db, clock):
    user = make_user(db, "sw", "social_worker")
    other = make_user(db, "tm", "team_manager")
    with transaction(db):
        audit.record(db, user, "child.viewed", clock.now(), what="case page")
        audit.record(db, other, "child.viewed", clock.now())
        audit.record(db, user, "task.completed", clock.advance(days=2))
    assert audit.search(db, username="sw").total == 2
    assert audit.search(db, action="child.").total == 2
    assert audit.search(db, since=clock.now()).total == 1
    found = audit.search(db, username="sw", limit=1)
    assert found.total == 2 and [e.action for e in found.events] == ["task.completed"]
