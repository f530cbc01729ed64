"""The workflow cache hands a workflow back only for the version it was saved as, once; one
it drops is taken apart between requests, so its reference counts free it, unless it was
lent to a reader."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import pytest

from engine.workflow.workflow_cache import WorkflowCache
from tests.engine.workflow.test_serialization import nested_workflow, ready
from tests.factories import complete


def test_a_workflow_is_taken_once_and_only_for_its_version():
    cache, workflow = WorkflowCache(), object()
    cache.put(1, 3, workflow)
    assert cache.take(1, 4) is None  # another worker saved version 4: load from the database
    cache.put(1, 3, workflow)
    assert cache.take(1, 3) is workflow
    assert cache.take(1, 3) is None  # taken, never shared between two steps


def test_the_oldest_entry_goes_when_full():
    cache = WorkflowCache(size=2)
    for instance_id in (1, 2, 3):
        cache.put(instance_id, 1, f"workflow {instance_id}")
    assert cache.take(1, 1) is None
    assert cache.take(3, 1) == "workflow 3"


def test_clear_forgets_everything():
    cache = WorkflowCache()
    cache.put(1, 1, "workflow")
    cache.clear()
    assert cache.take(1, 1) is None


def test_the_council_engine_keeps_only_the_instances_being_stepped_now():
    """Each worker holds its cache for life, within a 100 MiB worker (issue 28)."""
    from engine.service import Engine

    cache = Engine().cache
    for instance_id in range(100):
        cache.put(instance_id, 1, f"workflow {instance_id}")
    kept = [i for i in range(100) if cache.take(i, 1) is not None]
    assert kept == list(range(92, 100))  # the eight stepped last


def _workflow():
    """A real workflow with subprocesses under way: the tree of tasks and the cycles a
    cached one has."""
    workflow = nested_workflow()
    first = ready(workflow, "first")[0]
    first.set_data(items=["a", "b"])
    first.run()
    workflow.do_engine_steps()
    assert len(workflow.subprocesses) == 2  # the call activity's, and the one inside it
    return workflow


def _freed_at_once(workflow) -> Callable[[], bool]:
    """Whether the workflow, its subprocesses and its tasks are all gone, with the cyclic
    collector kept out of it (so only reference counts could have freed them)."""
    held = [workflow, *workflow.subprocesses.values()]
    refs = [weakref.ref(each) for each in held]
    refs += [weakref.ref(task) for each in held for task in each.tasks.values()]
    del held
    return lambda: all(ref() is None for ref in refs)


@pytest.fixture
def no_collector():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize(
    "drop",
    [
        lambda cache: cache.take(1, 4),  # another worker saved version 4
        lambda cache: cache.put(1, 4, object()),  # replaced by a newer one
        lambda cache: [cache.put(i, 1, object()) for i in range(2, 10)],  # the oldest of 9
        lambda cache: cache.take(1, -1),  # the case closed
        lambda cache: cache.clear(),
    ],
    ids=["stale", "replaced", "evicted", "closed", "cleared"],
)
def test_a_dropped_workflow_is_freed_without_waiting_for_the_collector(no_collector, drop):
    cache, workflow = WorkflowCache(), _workflow()
    freed = _freed_at_once(workflow)
    cache.put(1, 3, workflow)
    del workflow
    drop(cache)
    assert not freed()  # not in the request that dropped it: after its response
    assert cache.let_go_dropped() == 1
    assert freed()


def test_a_process_that_never_lets_go_keeps_only_a_cache_full_waiting(no_collector):
    cache = WorkflowCache(size=2)
    workflows = [_workflow() for _ in range(3)]
    freed = [_freed_at_once(each) for each in workflows]
    for instance_id, workflow in enumerate(workflows):
        cache.put(instance_id, 1, workflow)
    del workflow, workflows
    for instance_id in range(3):
        cache.take(instance_id, 2)  # each moved on elsewhere
    assert [each() for each in freed] == [True, False, False]  # the oldest at once
    assert cache.let_go_dropped() == 2
    assert all(each() for each in freed)


def test_a_workflow_lent_to_a_reader_is_left_whole_when_dropped(no_collector):
    cache, workflow = WorkflowCache(), _workflow()
    tasks = len(workflow.tasks)
    cache.lend(1, 3, workflow)  # a reader still holds it
    assert cache.take(1, 4) is None
    assert cache.let_go_dropped() == 0
    assert len(workflow.get_tasks()) >= tasks  # still a whole workflow, subprocess included
    assert cache.take(1, 3) is None
    cache.put(1, 3, workflow)  # stepped again and kept: still never taken apart
    cache.clear()
    assert workflow.subprocesses and workflow.task_tree is not None


def test_a_workflow_put_again_under_a_new_version_is_kept_whole(no_collector):
    cache, workflow = WorkflowCache(), _workflow()
    cache.put(1, 3, workflow)
    cache.put(1, 4, workflow)  # the same object, saved again
    assert cache.take(1, 4) is workflow
    assert workflow.task_tree is not None


def test_a_workflow_read_through_the_engine_stays_whole_however_it_is_dropped(
    db, engine, staff, two_steps
):
    instance = engine.start(db, "two_steps", staff["sw"], {"social_worker": "sw"})
    read = engine.steps.loaded(db, instance)  # a page reading the case holds it
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-04-01")
    engine.cache.take(instance.id, -1)  # the case moved on elsewhere: dropped
    engine.cache.let_go_dropped()
    assert read.task_tree is not None and read.tasks  # the reader's copy is untouched


def test_a_stepped_workflow_dropped_by_the_engine_is_freed_once_let_go(
    db, engine, staff, two_steps, no_collector
):
    instance = engine.start(db, "two_steps", staff["sw"], {"social_worker": "sw"})
    complete(db, engine, instance.id, "first", staff["sw"], start_date="2026-04-01")
    kept = engine.cache.take(instance.id, instance.lock_version)
    freed = _freed_at_once(kept)
    engine.cache.put(instance.id, instance.lock_version, kept)
    del kept
    engine.cache.take(instance.id, instance.lock_version + 1)  # another worker moved it on
    engine.cache.let_go_dropped()  # a worker's, once the response has gone
    assert freed()
