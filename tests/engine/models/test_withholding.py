"""What is withheld from an account, read on the session's connection: the same keys the
ORM's execution gives, for one child and for every child, and nothing pending missed."""

from __future__ import annotations

from sqlalchemy import true

from engine.models import withholding
from engine.models.conferences import CasePerson
from engine.models.withholding import WithheldItem, keys_hidden_from_user
from engine.platform.db import transaction
from tests.factories import make_child, make_staff


def _through_the_orm(session, user, child_id):
    """The read as it was made before, through `Session.execute` (the reference)."""
    values = {"user_id": user.id, "roles": sorted(user.roles)}
    if child_id is None:
        rows = session.execute(withholding._HIDDEN_FROM_USER, values)
    else:
        query = withholding._HIDDEN_FROM_USER_IN_CHILD
        rows = session.execute(query, {**values, "child_id": child_id})
    return {tuple(row) for row in rows}


def test_the_keys_are_those_the_orm_read_gives_for_every_kind_of_audience(db, engine):
    staff = make_staff(db)
    police = staff["police"]
    child = make_child(db, engine, staff["sw"])
    other = make_child(db, engine, staff["sw"], given="Tobi")
    with transaction(db):
        mother = CasePerson(child_id=child.id, kind="family", name="Grace", user_id=police.id)
        officer = CasePerson(child_id=child.id, kind="professional", name="DC", user_id=police.id)
        db.add_all([mother, officer])
        db.flush()
        audiences = [
            {"from_user_id": staff["sw"].id},
            {"from_role": "social_worker"},
            {"from_person_id": officer.id},
            {"from_group": "family"},
            {"from_role": "team_manager", "lifted_at": engine.clock.now()},  # lifted
        ]
        for n, audience in enumerate(audiences, start=1):
            for child_id in (child.id, other.id):
                db.add(
                    WithheldItem(
                        child_id=child_id,
                        record="person",
                        record_id=n,
                        field="address",
                        reason="Safety",
                        by_id=staff["chair"].id,
                        **audience,
                    )
                )
    expected = {
        "sw": {1, 2},  # by name and by role
        "tm": set(),  # the only item for the role is lifted
        "police": {3, 4},  # as the professional, and as a family member on the record
        "chair": set(),
    }
    for name, numbers in expected.items():
        user = staff[name]
        mine = keys_hidden_from_user(db, user, child.id)
        assert mine == {("person", n, "address") for n in numbers}, name
        assert mine == _through_the_orm(db, user, child.id)
        everywhere = keys_hidden_from_user(db, user, None)
        assert everywhere == _through_the_orm(db, user, None)
        assert keys_hidden_from_user(db, user, None, children=true()) == everywhere


def test_an_item_not_yet_flushed_is_seen_by_a_session_that_autoflushes(db, engine):
    staff = make_staff(db)
    child = make_child(db, engine, staff["sw"])
    item = WithheldItem(
        child_id=child.id,
        record="report",
        record_id=7,
        field="summary",
        reason="Safety",
        by_id=staff["chair"].id,
        from_role="social_worker",
    )
    db.add(item)
    db.autoflush = True  # as the ORM's own execution would flush it first
    try:
        assert keys_hidden_from_user(db, staff["sw"], child.id) == {("report", 7, "summary")}
    finally:
        db.autoflush = False
        db.rollback()
