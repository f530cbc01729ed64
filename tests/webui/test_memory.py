import gc

import pytest

from webui import memory
from webui.memory import FullCollections, freeze_what_is_loaded


@pytest.fixture
def frozen():
    yield freeze_what_is_loaded()
    gc.unfreeze()


def test_what_is_loaded_is_frozen_and_what_comes_later_is_still_collected(frozen):
    assert frozen > 1000 and gc.get_freeze_count() > 1000

    class Node:
        pass

    for _ in range(3):
        node = Node()
        node.me = node  # a cycle, unreachable once the name is rebound
    del node
    assert gc.collect() >= 3


@pytest.fixture
def between_requests():
    thresholds = gc.get_threshold()
    yield FullCollections(every=3)
    gc.set_threshold(*thresholds)


def test_full_collections_run_between_requests_not_when_the_collector_chooses(
    between_requests, monkeypatch
):
    full, trimmed = [], []
    monkeypatch.setattr(memory, "_give_back_free_heap", lambda: trimmed.append(len(full)))

    def note(phase, info):
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    gc.callbacks.append(note)
    try:
        kept = [[] for _ in range(300_000)]  # far past where the collector would start one
        assert full == []
        del kept
        assert gc.get_threshold()[0] == memory.YOUNG  # young collections go on, less often
        assert [between_requests.request_served() for _ in range(6)] == [False, False, True] * 2
        assert len(full) == 2
        assert trimmed == [1, 2]  # the freed heap handed back after each full collection
    finally:
        gc.callbacks.remove(note)
