"""The instance list after ten years: its count stops past COUNTED matches, its page reads the
newest rows through an index, its search by child reads the trigram indexes, and the waiting
steps it offers are read from ready rows only (issue 28).

A few dozen rows stand in for the decade: COUNTED is lowered to match, and on PostgreSQL
sequential scans are taken away so the plan is the one a big table gets. Plans are checked,
not the clock; the rows found and who may see them are checked on both databases.
"""

from __future__ import annotations

import json

from sqlalchemy import event, insert, update

from engine.access import access, accounts
from engine.models import Child, ProcessInstance
from engine.models import instance_search as search_module
from engine.models.instance_search import InstanceFilter, search, waiting_stages
from engine.models.instances import COMPLETED, DONE, READY, READY_STAGES, RUNNING, HumanTask
from engine.models.people import TRIGRAM_INDEXES
from engine.models.processes import ProcessVersion
from tests.conftest import truncate_all

from ..workflow.test_sweep_plan import index_names, rows_read

CHILDREN, PER_CHILD = 12, 4  # 48 instances, ids 1..48 in the order they started


def seed(db) -> dict[str, object]:
    """Two social workers: the first holds the even children, the second the odd ones. Every
    third child is an Okoye; each child has four instances, the newest of each still running."""
    truncate_all(db.get_bind())
    mine = accounts.create_user(db, "sw_a", "A", "a@x.invalid", ["social_worker"], team="North")
    theirs = accounts.create_user(db, "sw_b", "B", "b@x.invalid", ["social_worker"], team="North")
    manager = accounts.create_user(db, "sm", "S", "s@x.invalid", ["service_manager"])
    db.flush()
    db.execute(
        insert(Child),
        [
            {
                "id": n,
                "reference": f"C{n:05d}",
                "given_name": f"Amara{n}" if n % 3 == 0 else f"Sam{n}",
                "family_name": "Okoye" if n % 3 == 0 else "Smith",
                "social_worker_id": (mine if n % 2 == 0 else theirs).id,
            }
            for n in range(1, CHILDREN + 1)
        ],
    )
    db.execute(
        insert(ProcessVersion),
        [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h", "bpmn_xml": "",
          "deployed_by": "tests"}],
    )  # fmt: skip
    db.execute(
        insert(ProcessInstance),
        [
            {
                "id": step * CHILDREN + n,
                "process_id": "p",
                "version_id": 1,
                "child_id": n,
                "status": RUNNING if step == PER_CHILD - 1 else COMPLETED,
                "state": "",
                "lock_version": 1,
            }
            for step in range(PER_CHILD)
            for n in range(1, CHILDREN + 1)
        ],
    )
    db.commit()
    return {"mine": mine, "theirs": theirs, "manager": manager}


def sent_while(db, call) -> tuple[object, list[tuple[str, object]]]:
    """What `call` returns, and the statements it sent that read process_instances."""
    return sent_while_reading(db, "process_instances", call)


def sent_while_reading(db, table: str, call) -> tuple[object, list[tuple[str, object]]]:
    """What `call` returns, and the statements it sent that read `table`."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if f"FROM {table}" in statement:
            sent.append((statement, parameters))

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", keep)
    try:
        return call(), sent
    finally:
        event.remove(bind, "before_cursor_execute", keep)


def pg_plan(db, statement: str, parameters, *taken_away: str) -> dict:
    connection = db.connection()
    connection.exec_driver_sql("ANALYZE")
    for scan in ("seqscan", *taken_away):
        connection.exec_driver_sql(f"SET LOCAL enable_{scan} = off")
    explained = connection.exec_driver_sql(
        f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters
    ).scalar()
    return (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]


def scans_of(plan: dict, table: str) -> list[str]:
    here = [plan["Node Type"]] if plan.get("Relation Name") == table else []
    return here + [s for child in plan.get("Plans", []) for s in scans_of(child, table)]


def looked_up(plan: dict, table: str) -> int:
    """Rows taken from `table` over every loop of its scans."""
    here = 0
    if plan.get("Relation Name") == table:
        here = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1)
    return here + sum(looked_up(child, table) for child in plan.get("Plans", []))


def sorted_rows(plan: dict) -> int:
    here = plan.get("Actual Rows", 0) if "Sort" in plan["Node Type"] else 0
    return max([here, *(sorted_rows(child) for child in plan.get("Plans", []))])


def filtered_walks(plan: dict) -> list[dict]:
    """The scans of process_instances that test each row against a set read once."""
    here = [plan] if plan.get("Relation Name") == "process_instances" else []
    here = [p for p in here if "hashed SubPlan" in p.get("Filter", "")]
    return here + [s for child in plan.get("Plans", []) for s in filtered_walks(child)]


def sqlite_plan(db, statement: str, parameters) -> list[str]:
    rows = db.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
    return [row[-1] for row in rows]


def test_the_count_stops_past_counted_and_says_more_match(db, monkeypatch):
    people = seed(db)
    monkeypatch.setattr(search_module, "COUNTED", 10)
    found = search(db, InstanceFilter(), None, per_page=4)
    assert (found.matching, found.more, found.pages) == (10, True, 3)
    assert [i.id for i in found.instances] == [48, 47, 46, 45]
    last = search(db, InstanceFilter(page=99), None, per_page=4)
    assert last.page == 3 and [i.id for i in last.instances] == [40, 39]  # the newest 10 only
    # A filter that narrows the matches below COUNTED counts them exactly.
    okoye = search(db, InstanceFilter(child="okoye"), None, per_page=4)
    assert (okoye.matching, okoye.more, okoye.pages) == (10, True, 3)
    one = search(db, InstanceFilter(child="amara1"), None, per_page=4)
    assert (one.matching, one.more, one.pages) == (PER_CHILD, False, 1)
    # A person who sees fewer children counts only theirs.
    mine = access.child_filter(people["mine"], ProcessInstance.child_id)
    found = search(db, InstanceFilter(child="okoye"), None, mine)
    assert (found.matching, found.more) == (8, False)


def test_the_search_finds_a_child_by_any_part_of_a_name_or_reference(db):
    people = seed(db)
    every = access.child_filter(people["manager"], ProcessInstance.child_id)
    for text, children in {
        "OKOYE": {3, 6, 9, 12},  # the family name, in any case
        "amara1": {12},  # the given name
        "Amara6 Ok": {6},  # across the given and the family name
        "c00007": {7},  # the reference
        "0001": {1, 10, 11, 12},  # part of a reference: C00001, C00010 to C00012
        "Nobody": set(),
    }.items():
        found = search(db, InstanceFilter(child=text), None, every)
        assert {i.child_id for i in found.instances} == children, text
        assert found.matching == PER_CHILD * len(children), text


def test_the_search_keeps_to_the_children_a_person_may_see(db):
    people = seed(db)
    for who, children in (("mine", {6, 12}), ("theirs", {3, 9})):
        condition = access.child_filter(people[who], ProcessInstance.child_id)
        found = search(db, InstanceFilter(child="okoye"), None, condition)
        assert {i.child_id for i in found.instances} == children, who
        assert found.matching == PER_CHILD * len(children), who
    condition = access.child_filter(people["mine"], ProcessInstance.child_id)
    assert search(db, InstanceFilter(child="c00007"), None, condition).instances == []


def test_the_list_counts_and_pages_the_newest_rows_through_an_index(db, is_postgres, monkeypatch):
    seed(db)
    monkeypatch.setattr(search_module, "COUNTED", 10)
    for wanted in (InstanceFilter(), InstanceFilter(status=RUNNING), InstanceFilter(page=2)):
        found, sent = sent_while(db, lambda w=wanted: search(db, w, None, per_page=4))
        assert len(found.instances) == 4
        (count, count_parameters), (page, page_parameters) = sent[:2]
        assert "count(" in count.lower() and "ORDER BY process_instances.id DESC" in page
        db.rollback()
        if is_postgres:
            counted = pg_plan(db, count, count_parameters)
            # The count stops at COUNTED + 1 rows, whatever is in the table.
            assert rows_read(counted) <= 11, wanted
            listed = pg_plan(db, page, page_parameters)
            # The page walks an index on id backwards: it sorts and reads only what it shows.
            assert index_names(listed) & {"pk_process_instances", "ix_process_instances_live"}
            assert sorted_rows(listed) <= 4, wanted  # only the page's own rows, if any
            # The rows up to the page's end to page them, and the page's own again to load them.
            assert rows_read(listed) <= wanted.page * 4 + 4, wanted
            # Children are joined to the page's rows only, not to those it skips.
            assert looked_up(listed, "children") <= 4, wanted
        elif wanted.status is None:  # SQLite, knowing no sizes, sorts a status's few rows
            lines = sqlite_plan(db, page, page_parameters)
            assert not any("TEMP B-TREE FOR ORDER BY" in line for line in lines), lines
        db.rollback()


def test_the_search_by_child_reads_the_trigram_indexes(db, is_postgres):
    people = seed(db)
    # A service manager's search, over every child. (A social worker's few children are read
    # through their own index first; the rows they get are checked above.)
    condition = access.child_filter(people["manager"], ProcessInstance.child_id)
    found, sent = sent_while(db, lambda: search(db, InstanceFilter(child="okoye"), None, condition))
    assert {i.child_id for i in found.instances} == {3, 6, 9, 12}
    db.rollback()
    assert len(sent) >= 2  # the count, then the page; SQLite has no trigram index to read
    for statement, parameters in sent[:2] if is_postgres else ():
        # A dozen children are cheaper to read whole, through any index, than through a
        # trigram one; hundreds of thousands are not. Take whole reads away (sequential and
        # plain index scans): the children can then be found only through indexes that
        # answer "contains", if the search is written so they can.
        plan = pg_plan(db, statement, parameters, "indexscan")
        assert set(TRIGRAM_INDEXES) <= index_names(plan), statement
        assert "Seq Scan" not in scans_of(plan, "children"), statement
        db.rollback()


def test_the_waiting_steps_offered_are_read_from_ready_rows_one_step_at_a_time(db, is_postgres):
    seed(db)
    # Every instance did "record" long ago; the running ones wait at "book" or "hold", and
    # one waits at both (a parallel step). Finished steps are never offered.
    rows = [
        {"id": f"done-{n}", "instance_id": n, "child_id": (n - 1) % CHILDREN + 1,
         "task_spec": "record", "title": "Record", "state": DONE}
        for n in range(1, CHILDREN * PER_CHILD + 1)
    ] + [
        {"id": f"ready-{n}", "instance_id": n, "child_id": (n - 1) % CHILDREN + 1,
         "task_spec": "book" if n % 2 else "hold", "title": "Book it" if n % 2 else "Hold it",
         "state": READY}
        for n in range(CHILDREN * (PER_CHILD - 1) + 1, CHILDREN * PER_CHILD + 1)
    ] + [
        {"id": "ready-both", "instance_id": 48, "child_id": 12, "task_spec": "book",
         "title": "Book it", "state": READY}
    ]  # fmt: skip
    db.execute(insert(HumanTask), rows)
    db.commit()
    found, sent = sent_while_reading(db, "human_tasks", lambda: waiting_stages(db))
    assert found == [("book", "Book it"), ("hold", "Hold it")]
    db.rollback()
    [(statement, parameters)] = sent
    if is_postgres:
        plan = pg_plan(db, statement, parameters)
        assert index_names(plan) == {READY_STAGES}, statement
        # One probe for each step and one for its title: never the finished rows.
        assert "Seq Scan" not in json.dumps(plan)
    else:
        # Every read of human_tasks, the steps' and the titles', is from the partial index:
        # SQLite has no statistics, and once took the index on (state, role, ...) for the
        # steps, reading every ready row from the table.
        lines = [line for line in sqlite_plan(db, statement, parameters) if "human_tasks" in line]
        assert lines and all(READY_STAGES in line for line in lines), lines
    db.rollback()


def test_a_team_manager_s_page_walks_the_newest_rows_and_tests_each(db, is_postgres):
    """A team manager sees a part of the children (their team's): the page still walks the
    id index from the newest row, testing each against the children they may see (read once,
    the team's from the social worker index), instead of joining every row of the team's
    children and sorting them all."""
    people = seed(db)
    south = accounts.create_user(db, "sw_c", "C", "c@x.invalid", ["social_worker"], team="South")
    tm = accounts.create_user(db, "tm", "T", "t@x.invalid", ["team_manager"], team="South")
    db.flush()
    db.execute(
        update(Child).where(Child.id.in_([1, 3, 5, 7, 9, 11])).values(social_worker_id=south.id)
    )
    db.commit()
    condition = access.child_filter(tm, ProcessInstance.child_id)
    found, sent = sent_while(db, lambda: search(db, InstanceFilter(), None, condition, per_page=4))
    assert [i.id for i in found.instances] == [47, 45, 43, 41]  # the odd children's newest
    assert (found.matching, found.more) == (PER_CHILD * 6, False)
    # The same children through each filter, whichever way the page tests them.
    for wanted in (InstanceFilter(child="okoye"), InstanceFilter(status=RUNNING)):
        rows = search(db, wanted, None, condition).instances
        assert rows and all(i.child_id % 2 == 1 for i in rows), wanted
    theirs = access.child_filter(people["theirs"], ProcessInstance.child_id)
    assert search(db, InstanceFilter(), None, theirs).instances == []  # sw_b has none now
    db.rollback()
    (_count, _), (page, page_parameters) = sent[:2]
    if is_postgres:
        listed = pg_plan(db, page, page_parameters)
        assert "ix_children_social_worker_id_id" in index_names(listed)
        assert sorted_rows(listed) <= 4  # only the page's own rows
        # The walk tests each row from the newest (48) to the page's fourth of theirs (41):
        # 8 rows, not the 24 of theirs, whatever the table holds.
        [walk] = filtered_walks(listed)
        assert walk["Index Name"] == "pk_process_instances"
        assert walk["Actual Rows"] + walk.get("Rows Removed by Filter", 0) == 8
    db.rollback()
