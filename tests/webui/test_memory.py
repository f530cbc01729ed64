import gc

import pytest

from webui.memory import freeze_what_is_loaded


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
