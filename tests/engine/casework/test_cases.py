"""Starting a workflow for a child: the database refuses a second running conference."""

import pytest
from sqlalchemy import insert, null
from sqlalchemy.exc import IntegrityError

from engine.casework import cases
from engine.models import ProcessInstance
from engine.platform.errors import ConcurrentUpdate, EngineError
from tests.factories import start_icpc


def test_a_start_that_read_no_running_conference_loses_to_one_started_meanwhile(
    db, engine, monkeypatch
):
    """As two people starting at once: both checks find none, the database takes one."""
    staff, child, first = start_icpc(db, engine)
    monkeypatch.setattr(cases, "_RUNNING_ID", null())  # the check reads none running
    with pytest.raises(ConcurrentUpdate, match=f"in progress: case {first.reference}. Someone"):
        cases.start_conference(db, engine, staff["sw"], child.id)
    assert [i.id for i in db.query(ProcessInstance).filter_by(process_id="icpc")] == [first.id]


def test_the_check_still_names_the_running_conference(db, engine):
    staff, child, first = start_icpc(db, engine)
    with pytest.raises(EngineError, match=f"in progress: case {first.reference}"):
        cases.start_conference(db, engine, staff["sw"], child.id)


def test_only_running_conferences_and_plan_endings_are_one_per_child(db, engine):
    staff, child, first = start_icpc(db, engine)
    row = {"child_id": child.id, "version_id": first.version_id, "state": "", "lock_version": 1}
    for process_id in ("rcpc", "rcpc", "core_group", "core_group"):  # these overlap
        db.execute(insert(ProcessInstance), [{"process_id": process_id, **row}])
    db.execute(insert(ProcessInstance), [{"process_id": "icpc", "status": "terminated", **row}])
    db.execute(insert(ProcessInstance), [{"process_id": "end_plan", **row}])
    db.commit()
    for process_id, status in [("icpc", "suspended"), ("end_plan", "running")]:
        with pytest.raises(IntegrityError), db.begin_nested():
            db.execute(
                insert(ProcessInstance), [{"process_id": process_id, "status": status, **row}]
            )
    engine.terminate(db, first.id, staff["tm"], "Opened in error")
    assert cases.start_conference(db, engine, staff["sw"], child.id).status == "running"


def test_a_service_manager_is_told_of_the_running_case_and_the_missing_plan(db, engine):
    """Someone who sees every child is not asked how they are connected: the one read of the
    child still brings the running conference and the open plan (none)."""
    staff, child, first = start_icpc(db, engine)
    with pytest.raises(EngineError, match=f"in progress: case {first.reference}"):
        cases.start_conference(db, engine, staff["sm"], child.id)
    with pytest.raises(EngineError, match="is not on a child protection plan"):
        cases.start_plan_ending(db, engine, staff["sm"], child.id)
