"""The last workflow each instance produced, kept in memory with the version it was saved as.

The next step on that instance in this process skips deserialization; a version mismatch
(another worker moved it on) means the caller loads from the database instead.

It pays only while someone works through an instance's steps one after another, so it holds
the few instances a worker is stepping now, not every instance it has seen: a deserialized
ICPC workflow is some 80 KB, and a worker's memory has a ceiling (issue 28: 100 MiB). A sync
worker steps one instance at a time, so a handful covers the people working through cases on
it at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

SIZE = 8  # workflows per process: the instances being stepped now, with room to spare


class WorkflowCache:
    """Workflows by instance id, each with the version it was saved as. Taken, never shared."""

    def __init__(self, size: int = SIZE):
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def take(self, instance_id: int, version: int) -> BpmnWorkflow | None:
        with self._lock:
            item = self._items.pop(instance_id, None)
        return item[1] if item and item[0] == version else None

    def put(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._items[instance_id] = (version, workflow)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
