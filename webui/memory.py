"""A long-running process's memory: what it loaded at start it keeps until it exits.

A worker holds the app, the diagrams' parsed specs and the libraries (some 190,000 objects)
for its whole life. Python's cyclic collector walked all of them on every full collection,
which fell inside a request about one time in six: 100 ms added to a dashboard at council
scale. Frozen once loaded, they are left out of those walks; what is made later is collected
as before (an object frozen and later unreferenced is still freed by its reference count),
and a worker runs its full collections between requests (`FullCollections`).
"""

from __future__ import annotations

import ctypes
import gc


def freeze_what_is_loaded() -> int:
    """Collect the start-up garbage, then keep every object now alive out of the collector's
    walks; how many objects that is."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


# Requests between two full collections: about as often as the collector's own thresholds
# ran one in the bench's workers, so memory is held no longer than before.
FULL_COLLECTION_EVERY = 100
# Objects made and not yet freed before a young collection starts. Python's 700 suits small
# programs; a step makes tens of thousands of objects (a loaded workflow alone is some 5,000),
# so at 700 each request ran one or two young collections, each walking what the request still
# held and moving it on towards the full collection. At 10,000 one falls in about one request
# in twenty.
YOUNG = 10_000
_NEVER = 1_000_000_000


class FullCollections:
    """A worker's full collections run after a response is sent, never inside a request.

    Left to itself the collector starts a full collection when enough objects have lived
    long enough, which falls inside whichever request allocates the last one: 10-12 ms added
    to that person's wait, one request in a hundred or so. The worker turns that trigger off
    (young collections go on, less often: `YOUNG`) and runs the full collection itself every
    `every` requests, after the response has gone.
    """

    def __init__(self, every: int = FULL_COLLECTION_EVERY):
        self.every, self.served = every, 0
        _young, middle, _full = gc.get_threshold()
        gc.set_threshold(YOUNG, middle, _NEVER)

    def request_served(self) -> bool:
        """Count a request; collect in full when its turn has come. Whether it did."""
        self.served += 1
        if self.served % self.every:
            return False
        gc.collect()
        _give_back_free_heap()
        return True


def _give_back_free_heap() -> None:
    """Hand the C heap's free pages back to the system after a full collection (glibc's
    `malloc_trim`): what the collection freed in the middle of the heap otherwise stays in
    the worker's resident memory. Elsewhere than glibc there is nothing to call."""
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
