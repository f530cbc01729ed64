"""Several instances' tasks in one statement: the same tasks, in the same order, as one by one."""

from engine.casework import cases
from engine.models.instances import tasks_of, tasks_of_instances
from tests.factories import complete, make_child, start_icpc

STRATEGY = {
    "strategy_discussion_date": "2026-03-02",
    "s47_start_date": "2026-03-02",
    "outcome": "icpc",
}


def test_tasks_of_several_instances_equal_each_instances_tasks(db, engine):
    staff, child, first = start_icpc(db, engine)
    complete(db, engine, first.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    sibling = make_child(db, engine, staff["sw"], given="Noah")
    second = cases.start_conference(db, engine, staff["sw"], sibling.id)
    ids = [first.id, second.id, 10_000]
    found = tasks_of_instances(db, ids)
    assert list(found) == ids
    for instance_id in ids:
        assert [t.id for t in found[instance_id]] == [t.id for t in tasks_of(db, instance_id)]
    assert len(found[first.id]) >= 2 and found[10_000] == []
    assert tasks_of_instances(db, []) == {}
