"""Issue 26: two people change the same task, or start the same conference, at the same moment.

Each pair runs on two real PostgreSQL connections (a session each, from the app's factory),
one thread per person. A barrier holds both until each has read the rows and decided (the
permission, the holder, "no conference running"), then both write: exactly one may win, and
the other must get a 409 error (ConcurrentUpdate or TaskAlreadyCompleted) with nothing saved.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from engine.access import access
from engine.casework import cases
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.platform.errors import ConcurrentUpdate, TaskAlreadyCompleted
from engine.service import Engine
from engine.workflow import assignment
from tests.factories import (
    deploy_processes,
    deploy_test_diagram,
    make_child,
    make_staff,
    make_user,
    ready,
)

pytestmark = pytest.mark.postgres

PAIRS = 100
CONFLICT = (ConcurrentUpdate, TaskAlreadyCompleted)  # webui/errors.py: both 409


class Pair:
    """Two people's actions, each on its own connection, let go together once both decided."""

    def __init__(self, sessions):
        self.sessions = sessions
        self.barrier = threading.Barrier(2, timeout=10)

    def decided(self) -> None:
        self.barrier.wait()

    def run(self, first, second) -> list:
        outcomes: list = [None, None]

        def attempt(index, action):
            session = self.sessions()
            try:
                action(session)
                outcomes[index] = "won"
            except Exception as exc:  # noqa: BLE001 - every outcome is counted and shown
                outcomes[index] = exc
                self.barrier.abort()  # a refusal before deciding must not hang the other
            finally:
                session.close()

        threads = [
            threading.Thread(target=attempt, args=(i, a)) for i, a in enumerate([first, second])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        return outcomes


def tally(results: list[list]) -> Counter:
    counts = Counter()
    for outcomes in results:
        wins = outcomes.count("won")
        conflicts = sum(isinstance(o, CONFLICT) for o in outcomes)
        counts["pairs"] += 1
        counts["one winner and a 409"] += wins == 1 and conflicts == 1
        counts["winners"] += wins
        counts["first won"] += outcomes[0] == "won"
        counts["409s"] += conflicts
    return counts


def assert_one_winner_each(results: list[list]) -> None:
    odd = [
        o
        for o in results
        if not (o.count("won") == 1 and isinstance(next(x for x in o if x != "won"), CONFLICT))
    ]
    assert not odd, f"{tally(results)}; first odd pair: {odd[0]!r}"
    assert tally(results)["one winner and a 409"] == PAIRS


@pytest.fixture
def pool_tasks(db, clock):
    """PAIRS instances of a child's two-step workflow, each waiting on a social workers' pool
    task; two social workers and their team manager."""
    staff = make_staff(db)
    people = {
        "a": make_user(db, "sw_a", "social_worker"),
        "b": make_user(db, "sw_b", "social_worker"),
        "tm": staff["tm"],
    }
    deploy_test_diagram(db, "two_steps")
    engine = Engine(clock=clock)
    child = make_child(db, engine, staff["sw"])
    data = {"social_worker": None, "team_manager": "tm"}
    tasks = []
    for _ in range(PAIRS):
        instance = engine.start(db, "two_steps", staff["sw"], dict(data), child_id=child.id)
        tasks.append(ready(db, instance.id)["first"].id)
    return people, tasks


def completing(engine, pair, actor, task_id):
    """Complete `task_id` as `actor`, letting go of the barrier once the task is read and the
    permission decided (the form's validation runs there)."""

    def validate(_row):
        pair.decided()
        return {"start_date": "2026-03-02"}

    return lambda session: engine.complete(session, task_id, actor, {}, validate=validate)


def against_completion(sessions, current: dict, tasks, change, completer, actor) -> list:
    """Race `change(session, task_id)` against `actor` completing each task, one pair at a
    time; each pair's outcomes, checked for exactly one winner."""
    results = []
    for task_id in tasks:
        pair = current["pair"] = Pair(sessions)
        outcomes = pair.run(
            lambda s, t=task_id: change(s, t),
            completing(completer, pair, actor, task_id),
        )
        results.append(outcomes)
    assert_one_winner_each(results)
    return results


@pytest.fixture
def decided_before_writing(monkeypatch):
    """Claims, hand-backs and assignments wait at the pair's barrier just before their UPDATE."""
    current: dict = {}
    real = assignment.set_assignee

    def set_assignee(*args, **kwargs):
        if "pair" in current:
            current["pair"].decided()
        return real(*args, **kwargs)

    monkeypatch.setattr(assignment, "set_assignee", set_assignee)
    return current


def test_claim_against_complete(db, clock, sessions, pool_tasks, decided_before_writing):
    people, tasks = pool_tasks
    claimer, completer = Engine(clock=clock), Engine(clock=clock)
    results = against_completion(
        sessions,
        decided_before_writing,
        tasks,
        lambda s, t: claimer.claim(s, people["a"], t),
        completer,
        people["b"],
    )
    db.expire_all()
    for task_id, outcomes in zip(tasks, results, strict=True):
        row = db.get(HumanTask, task_id)
        if outcomes[0] == "won":  # claimed: held by sw_a, not completed
            assert (row.state, row.assignee_id) == ("ready", people["a"].id)
        else:  # completed by sw_b, held by nobody
            assert (row.state, row.assignee_id, row.completed_by_id) == (
                "completed", None, people["b"].id)  # fmt: skip
        events = db.scalars(select(AuditEvent.action).where(AuditEvent.task_id == task_id)).all()
        assert len(events) == 1, events
    print(f"claim against complete: {dict(tally(results))}")


def test_unclaim_against_complete(db, clock, sessions, pool_tasks, decided_before_writing):
    people, tasks = pool_tasks
    for task_id in tasks:
        assignment.claim(db, people["a"], task_id, clock.now())
    giver, completer = Engine(clock=clock), Engine(clock=clock)
    results = against_completion(
        sessions,
        decided_before_writing,
        tasks,
        lambda s, t: giver.unclaim(s, people["a"], t),
        completer,
        people["a"],
    )
    db.expire_all()
    for task_id, outcomes in zip(tasks, results, strict=True):
        row = db.get(HumanTask, task_id)
        if outcomes[0] == "won":
            assert (row.state, row.assignee_id) == ("ready", None)
        else:
            assert (row.state, row.assignee_id, row.completed_by_id) == (
                "completed", people["a"].id, people["a"].id)  # fmt: skip
    print(f"unclaim against complete: {dict(tally(results))}")


def test_assign_against_complete(db, clock, sessions, pool_tasks, decided_before_writing):
    people, tasks = pool_tasks
    manager, completer = Engine(clock=clock), Engine(clock=clock)
    results = against_completion(
        sessions,
        decided_before_writing,
        tasks,
        lambda s, t: manager.assign(s, people["tm"], t, "sw_b"),
        completer,
        people["a"],
    )
    db.expire_all()
    for task_id, outcomes in zip(tasks, results, strict=True):
        row = db.get(HumanTask, task_id)
        if outcomes[0] == "won":
            assert (row.state, row.assignee_id) == ("ready", people["b"].id)
        else:
            assert (row.state, row.assignee_id, row.completed_by_id) == (
                "completed", None, people["a"].id)  # fmt: skip
    print(f"assign against complete: {dict(tally(results))}")


def test_start_against_start(db, clock, sessions, monkeypatch):
    staff = make_staff(db)
    deploy_processes(db)
    setup = Engine(clock=clock)
    children = [make_child(db, setup, staff["sw"], given=f"Child{n}") for n in range(PAIRS)]
    current: dict = {}
    real = access.child_and_level

    def running_then_wait(session, user, child_id, extra=(), **params):
        child, level, values = real(session, user, child_id, extra, **params)
        # The start's read says whether the process runs for the child (its first extra):
        # when both found none, let them insert together.
        if extra and values and values[0] is None and current:
            current["pair"].decided()
        return child, level, values

    monkeypatch.setattr(access, "child_and_level", running_then_wait)
    first, second = Engine(clock=clock), Engine(clock=clock)
    results = []
    for child in children:
        pair = current["pair"] = Pair(sessions)
        outcomes = pair.run(
            lambda s, c=child.id: cases.start_conference(s, first, staff["sw"], c),
            lambda s, c=child.id: cases.start_conference(s, second, staff["tm"], c),
        )
        results.append(outcomes)
    current.clear()
    assert_one_winner_each(results)
    loser = next(o for o in results[0] if o != "won")
    assert "already has this workflow in progress: case ICPC-" in str(loser)
    per_child = db.execute(
        select(ProcessInstance.child_id, func.count())
        .where(ProcessInstance.process_id == "icpc")
        .group_by(ProcessInstance.child_id)
    ).all()
    assert sorted(n for _, n in per_child) == [1] * PAIRS
    print(f"start against start: {dict(tally(results))}")
