"""A watchdog that stops a thread's diagram code once its time budget is spent.

Tracing every line would slow every step (a tracer is called for each Python call the code
makes, into SQLAlchemy and the calendar too: three times slower when measured). Instead one
daemon thread per process keeps the deadlines of the code running now and, when one passes,
raises `OverBudget` in that thread (`PyThreadState_SetAsyncExc`), which Python delivers at
its next bytecode boundary: within a loop's next turn, or as soon as a C call returns (the
size limits keep those short). Code that finishes in time costs one lock and a dictionary
entry.

An exception raised at an arbitrary point could land inside library code between taking a
lock and the `try` that gives it back, so the watchdog raises it only while the thread is
running the diagram's own code (compiled under `CODE_FILENAME`): a runaway spends its time
there, and a slow function it called finishes first. An interruption that comes too late to
be delivered is cleared before the caller goes on, so it can never land in other code.

Waking the thread costs more than the watch itself (a thread switch for every expression a
step evaluates), so `watch` wakes it only for a deadline earlier than the moment it will look
again anyway: it always sleeps at most until the earliest deadline, and, once idle, for one
more budget, so the next expressions' later deadlines need no wake. A runaway is still
stopped within its budget plus `POLL_SECONDS` and the time to switch threads.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from dataclasses import dataclass

CODE_FILENAME = "<diagram>"  # what diagram code is compiled as
POLL_SECONDS = 0.005  # how often an overdue thread is looked at until it is in diagram code


class OverBudget(BaseException):
    """Raised in the thread whose diagram code ran out of time. A BaseException, so the
    script's own `except Exception:` cannot swallow it; callers turn it into an ordinary
    error before any other code sees it."""


@dataclass
class _Watch:
    thread_id: int
    deadline: float
    fired: bool = False  # interrupted


class Watchdog:
    def __init__(self):
        self._reset()

    def _reset(self) -> None:
        self._lock = threading.Condition()
        self._watches: dict[int, _Watch] = {}
        self._next = 0
        self._thread: threading.Thread | None = None
        self._wakes_at: float | None = None  # when the thread looks next (None: when woken)
        self._idle_seconds = 0.0  # the latest budget: how long the thread idles awake
        self.wakes = 0  # how often `watch` had to wake the thread (for the tests)

    def watch(self, seconds: float) -> int:
        """Start watching the calling thread; the token to give to `release`."""
        deadline = time.monotonic() + seconds
        with self._lock:
            self._next += 1
            self._watches[self._next] = _Watch(threading.get_ident(), deadline)
            self._idle_seconds = seconds
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="diagram-watchdog", daemon=True
                )
                self._thread.start()  # it reads the watches before it first sleeps
            elif self._wakes_at is None or deadline < self._wakes_at:
                self.wakes += 1
                self._lock.notify()
            return self._next

    def release(self, token: int) -> bool:
        """Stop watching; whether the deadline passed (an undelivered interruption is
        cleared)."""
        with self._lock:
            watch = self._watches.pop(token)
            if watch.fired:
                _interrupt(watch.thread_id, None)
            return watch.fired

    def _run(self) -> None:
        seen = -1  # the last watch made before the thread last looked
        with self._lock:
            while True:
                now = time.monotonic()
                overdue = [w for w in self._watches.values() if not w.fired and w.deadline <= now]
                frames = sys._current_frames() if overdue else {}  # noqa: SLF001 - the way to look
                for watch in overdue:
                    frame = frames.get(watch.thread_id)
                    if frame is not None and frame.f_code.co_filename == CODE_FILENAME:
                        watch.fired = True
                        _interrupt(watch.thread_id, OverBudget)
                waiting = [w.deadline - now for w in self._watches.values() if not w.fired]
                if waiting:
                    timeout = max(min(waiting), POLL_SECONDS)
                elif self._next != seen:  # busy lately: a later watch then needs no wake
                    timeout = self._idle_seconds
                else:  # idle for a whole budget: sleep until the next watch wakes it
                    timeout = None
                seen = self._next
                self._wakes_at = None if timeout is None else now + timeout
                self._lock.wait(timeout=timeout)


def _interrupt(thread_id: int, exception) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exception) if exception else None
    )


WATCHDOG = Watchdog()
os.register_at_fork(after_in_child=WATCHDOG._reset)  # a forked worker starts its own
