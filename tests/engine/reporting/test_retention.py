"""Records due for retention review: counted daily, reported without personal data."""

from datetime import date

from sqlalchemy import select

from engine.models import OutboxMessage, Plan
from engine.platform import settings
from engine.platform.db import transaction
from engine.reporting import retention
from tests.factories import make_child, make_staff, make_user


def plan(db, child, started: date, ended: date | None):
    with transaction(db):
        db.add(
            Plan(
                child_id=child.id,
                started_on=started,
                ended_on=ended,
                initial_category="NEG",
                latest_category="NEG",
            )
        )


def three_children(db, engine):
    staff = make_staff(db)
    old = make_child(db, engine, staff["sw"], given="Old")
    recent = make_child(db, engine, staff["sw"], given="Recent")
    reopened = make_child(db, engine, staff["sw"], given="Reopened")
    plan(db, old, date(1998, 1, 5), date(2000, 6, 30))
    plan(db, recent, date(2014, 1, 5), date(2016, 6, 30))
    plan(db, reopened, date(1998, 1, 5), date(2000, 6, 30))
    plan(db, reopened, date(2025, 1, 5), None)  # open again: not due
    return old


def test_only_records_past_the_period_with_nothing_open_are_due(db, engine):
    old = three_children(db, engine)
    due = retention.due_for_review(db, date(2026, 3, 2))
    assert [(d.reference, d.plan_ended_on, d.review_from) for d in due] == [
        (old.reference, date(2000, 6, 30), date(2025, 6, 30))
    ]


def test_a_plan_ended_on_29_february_is_due_on_its_anniversary(db, engine):
    """In a year without 29 February the anniversary is 1 March: the record is listed from
    then, and the date it shows as due from is the day it was listed, not 28 February."""
    staff = make_staff(db)
    leap = make_child(db, engine, staff["sw"], given="Leap")
    plan(db, leap, date(2026, 1, 5), date(2028, 2, 29))
    with settings.using(retention_years_after_plan_end=25):
        assert retention.due_for_review(db, date(2053, 2, 28)) == []
        due = retention.due_for_review(db, date(2053, 3, 1))
    assert [(d.reference, d.review_from) for d in due] == [(leap.reference, date(2053, 3, 1))]


def test_the_period_is_the_councils_setting(db, engine):
    three_children(db, engine)
    with settings.using(retention_years_after_plan_end=5):
        assert len(retention.due_for_review(db, date(2026, 3, 2))) == 2


def test_administrators_are_told_the_count_and_nothing_else(db, engine, clock):
    old = three_children(db, engine)
    make_user(db, "admin", "administrator", team=None)
    assert retention.report(db, clock.now(), date(2026, 3, 2)) == 1
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "retention"))
    assert message.subject.startswith("1 child protection records")
    assert old.reference not in message.body and "Old" not in message.body
    assert message.link_path == "/retention"
