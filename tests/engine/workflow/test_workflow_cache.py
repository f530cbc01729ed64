"""The workflow cache hands a workflow back only for the version it was saved as, once."""

from __future__ import annotations

from engine.workflow.workflow_cache import WorkflowCache


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
