"""The last workflow each instance produced, kept in memory with the version it was saved as.

The next step on that instance in this process skips deserialization; a version mismatch
(another worker moved it on) means the caller loads from the database instead.

It pays only while someone works through an instance's steps one after another, so it holds
the few instances a worker is stepping now, not every instance it has seen: a deserialized
ICPC workflow is some 80 KB, and a worker's memory has a ceiling (issue 28: 100 MiB). A sync
worker steps one instance at a time, so a handful covers the people working through cases on
it at once.

A workflow is a web of cycles (each task points at its workflow, each subprocess at the top
one), so one the cache drops is freed only by a full collection, which then walks thousands
of dead objects: with two workers, half of all steps find the other worker moved their
instance on. A dropped workflow that nobody else can hold is taken apart instead, and its
reference counts free it at once. Only a workflow `lend` handed to a reader may be held
elsewhere; it is left whole for the collector. Taking apart waits for `let_go_dropped`,
which a web worker calls once its response has gone (`webui/gunicorn_conf.py`), so nobody's
request waits for it; a process that never calls it keeps at most `size` waiting.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

SIZE = 8  # workflows per process: the instances being stepped now, with room to spare
_LENT = "_cpc_lent"  # set on a workflow handed out for reading: never taken apart


class WorkflowCache:
    """Workflows by instance id, each with the version it was saved as. Taken, never shared;
    lent only to readers, and then never taken apart."""

    def __init__(self, size: int = SIZE):
        self._items: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._dropped: list[BpmnWorkflow] = []  # waiting to be taken apart

    def take(self, instance_id: int, version: int) -> BpmnWorkflow | None:
        """The workflow saved as `version`, now the caller's alone; None if there is none.
        One saved as any other version is stale, so it is dropped."""
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None:
            return None
        if item[0] == version:
            return item[1]
        self._drop([item[1]])
        return None

    def put(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        """Keep `workflow`, which the caller no longer uses, as the instance's `version`."""
        dropped = []
        with self._lock:
            before = self._items.pop(instance_id, None)
            if before is not None and before[1] is not workflow:
                dropped.append(before[1])
            self._items[instance_id] = (version, workflow)
            while len(self._items) > self._size:
                dropped.append(self._items.popitem(last=False)[1][1])
        self._drop(dropped)

    def lend(self, instance_id: int, version: int, workflow: BpmnWorkflow) -> None:
        """Keep `workflow` for the next step while a reader goes on using it: from now on
        it is never taken apart, whoever drops it."""
        if isinstance(workflow, BpmnWorkflow):
            workflow.__dict__[_LENT] = True
        self.put(instance_id, version, workflow)

    def clear(self) -> None:
        with self._lock:
            dropped = [workflow for _version, workflow in self._items.values()]
            self._items.clear()
        self._drop(dropped)

    def let_go_dropped(self) -> int:
        """Take apart the workflows dropped since the last call; how many were waiting."""
        with self._lock:
            dropped, self._dropped = self._dropped, []
        for each in dropped:
            _let_go(each)
        return len(dropped)

    def _drop(self, workflows: list) -> None:
        """Queue workflows nobody will take again for `let_go_dropped`; past `size` of them
        waiting, the oldest are taken apart at once."""
        workflows = [each for each in workflows if _can_let_go(each)]
        if not workflows:
            return
        with self._lock:
            self._dropped += workflows
            excess = self._dropped[: max(len(self._dropped) - self._size, 0)]
            del self._dropped[: len(excess)]
        for each in excess:
            _let_go(each)


def _let_go(workflow: BpmnWorkflow) -> None:
    """Take apart a workflow nothing else holds (`_drop` queued only those): every task and
    (sub)workflow emptied of its attributes, so no cycle is left. Only references are
    dropped: the specs, the script engine and the data the tasks held are shared or freed by
    their own counts."""
    for each in (workflow, *workflow.subprocesses.values()):
        for task in each.tasks.values():
            task.__dict__.clear()
        each.__dict__.clear()


def _can_let_go(workflow) -> bool:
    return isinstance(workflow, BpmnWorkflow) and not workflow.__dict__.get(_LENT)
