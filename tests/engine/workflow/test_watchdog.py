"""The watchdog: woken only for a deadline earlier than its next look, yet always in time."""

import threading
import time

import pytest

from engine.workflow.watchdog import CODE_FILENAME, POLL_SECONDS, OverBudget, Watchdog

RUNAWAY = compile("n = 0\nwhile True:\n    n = n + 1", CODE_FILENAME, "exec")


class CountingCondition(threading.Condition):
    def __init__(self):
        super().__init__()
        self.notified = 0

    def notify(self, n=1):
        self.notified += 1
        super().notify(n)


def counting_watchdog() -> Watchdog:
    dog = Watchdog()
    dog._lock = CountingCondition()
    return dog


def asleep(dog: Watchdog, until=lambda wakes_at: wakes_at is not None) -> None:
    """Wait until the thread has gone to sleep in the state `until` describes."""
    ends = time.monotonic() + 5
    while True:
        with dog._lock:
            if until(dog._wakes_at):
                return
        assert time.monotonic() < ends, "the watchdog thread never slept"
        time.sleep(0.001)


def stopped_within(dog: Watchdog, seconds: float) -> float:
    """Run a runaway under a `seconds` watch; how long it took to stop."""
    started = time.monotonic()
    token = dog.watch(seconds)
    with pytest.raises(OverBudget):
        exec(RUNAWAY, {})  # noqa: S102 - the runaway under test
    assert dog.release(token)
    return time.monotonic() - started


def test_expressions_one_after_another_wake_the_thread_once_not_each_time():
    dog = counting_watchdog()
    dog.release(dog.watch(5))  # starts the thread, which sleeps until that deadline
    asleep(dog)
    for _ in range(500):
        assert dog.release(dog.watch(5)) is False
    assert dog._lock.notified == 0


def test_a_deadline_earlier_than_the_thread_sleeps_toward_wakes_it_in_time():
    dog = counting_watchdog()
    holding, done = threading.Event(), threading.Event()

    def long_budget():  # another request's code, with a long budget, still running
        token = dog.watch(30)
        holding.set()
        done.wait(10)
        dog.release(token)

    other = threading.Thread(target=long_budget)
    other.start()
    try:
        holding.wait(5)
        asleep(dog)
        assert stopped_within(dog, 0.1) < 0.1 + POLL_SECONDS + 0.4
        assert dog._lock.notified == 1
    finally:
        done.set()
        other.join()


def test_an_idle_thread_sleeps_until_woken_and_still_stops_the_next_runaway():
    dog = counting_watchdog()
    dog.release(dog.watch(0.2))
    asleep(dog)  # awake for one more budget after its last watch,
    asleep(dog, until=lambda wakes_at: wakes_at is None)  # then idle: no more looks
    assert stopped_within(dog, 0.1) < 0.1 + POLL_SECONDS + 0.4
    assert dog._lock.notified == 1


def test_a_runaway_after_many_quick_expressions_is_stopped_within_its_budget():
    dog = counting_watchdog()
    for _ in range(50):
        dog.release(dog.watch(0.2))
    assert stopped_within(dog, 0.2) < 0.2 + POLL_SECONDS + 0.4
