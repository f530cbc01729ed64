"""Checking one child's connection gives the same answer as the list of connected children."""

from sqlalchemy import select

from engine.models.case_access import connected_child_ids, is_connected
from engine.models.people import Child
from tests.factories import add_conference, complete, make_child, make_user, start_icpc

STRATEGY = {
    "strategy_discussion_date": "2026-03-02",
    "s47_start_date": "2026-03-02",
    "outcome": "icpc",
}


def test_one_child_at_a_time_agrees_with_the_whole_list(db, engine):
    staff, first, instance = start_icpc(db, engine)
    other_sw = make_user(db, "sw_south", "social_worker", team="South")
    theirs = make_child(db, engine, other_sw, given="Noah")
    chaired = make_child(db, engine, other_sw, given="Ivy")
    add_conference(
        db, instance, chaired, due_on=instance.started_at.date(), chair_id=staff["chair"].id
    )
    complete(
        db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY
    )  # to a pool
    children = list(db.scalars(select(Child.id)))
    for user in staff.values():
        for team_wide in (False, True):
            connected = set(db.scalars(connected_child_ids(user, team_wide)))
            one_by_one = {c for c in children if is_connected(db, user, c, team_wide)}
            assert one_by_one == connected, (user.username, team_wide)
    assert is_connected(db, staff["chair"], chaired.id, False)
    assert not is_connected(db, staff["sw"], theirs.id, True)
    assert is_connected(db, staff["bs"], first.id, False)  # booking: their pool's step
