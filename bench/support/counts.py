"""`bench/complete.py`'s figures that do not depend on the machine's speed: SQL statements and
Python function calls per completion.

This machine's speed drifts, so wall-clock figures taken before and after a change can differ
by more than the change did. What a request does cannot drift: how many statements it sends
(a SQLAlchemy `before_cursor_execute` listener on the app's engine counts them) and how many
Python functions it calls (cProfile counts them; its timings are ignored). Both shapes of the
bench run in-process, through the app's WSGI test client, after one case of each has warmed
the caches; calls are counted on cases apart from those whose statements were counted (the
listener's own calls stay out), with the garbage collector collected, frozen and off, so no
collection's weakref callbacks land in the count. Statements repeat exactly from run to run;
calls within 0.1% on PostgreSQL (the driver's path varies a little) and 0.01% on SQLite.
The looping instance is counted the same way, step by step: its growth in calls, step 100
against step 5, shows growth the machine's drift cannot blur (though not work done inside one
C call, such as encoding a larger state).
After the HTTP bench in the same process, calls come out a little lower, so
bench/complete.py takes the counts first.
"""

from __future__ import annotations

import cProfile
import gc
import pstats

from sqlalchemy import event

from bench.support.databases import each_database
from bench.support.figures import growth
from bench.support.profiling import Api, loop_steps

CASES = 3  # warm cases of each shape counted each way
LOOP_STEPS = 100


class _Statements:
    """Statements sent during each request, in order, while the listener is attached."""

    def __init__(self, db_engine):
        self.db_engine, self.sent, self.per_request = db_engine, 0, []

    def _count(self, *_args) -> None:
        self.sent += 1

    def __enter__(self):
        event.listen(self.db_engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.db_engine, "before_cursor_execute", self._count)


class _Counted:
    """An `Api` that logs the statements each of its requests sent."""

    def __init__(self, api: Api, statements: _Statements):
        self.api, self.statements = api, statements

    def ok(self, method: str, path: str, body=None):
        before = self.statements.sent
        answer = self.api.ok(method, path, body)
        self.statements.per_request.append(self.statements.sent - before)
        return answer


def _calls(work) -> tuple[int, int]:
    """Function calls made by `work()`, and what it returned (the completions it made)."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        profiler = cProfile.Profile()
        done = profiler.runcall(work)
    finally:
        gc.enable()
        gc.unfreeze()
    return pstats.Stats(profiler).total_calls, done


def _loop_calls(api: Api, loop_id: int) -> list[int]:
    """Calls each step of the looping instance made, counted where `growth` reads them (the
    five steps around step 5 and the last five; the steps between are run, not counted)."""
    counted = set(range(7)) | set(range(LOOP_STEPS - 5, LOOP_STEPS))
    calls = []
    for n, step in enumerate(loop_steps(api, loop_id, LOOP_STEPS)):
        if n in counted:
            calls.append(_calls(step)[0])
        else:
            step()
            calls.append(0)  # never read: `growth` reads only the steps counted
    return calls


def _figure(total: int, count: int):
    value = total / count
    return int(value) if value == int(value) else round(value, 2)


def measure(url: str, cases: int = CASES) -> dict:
    """The counts on a new database at `url` (prepared here)."""
    from bench.complete import STEPS, prepare, run_case, run_generic
    from webui import create_app

    secrets, children, (loop_id,), firsts = prepare(url, 1 + 2 * cases, 1 + 2 * cases)
    app = create_app({"DATABASE_URL": url})
    db_engine = app.extensions["cpc"].db_engine
    try:
        apis = {key: Api(app.test_client(), secret) for key, secret in secrets.items()}
        run_case(apis, children[0], None)  # warm the caches, as the HTTP bench does
        run_generic(apis["sw"], firsts[0], None)
        with _Statements(db_engine) as statements:
            counted = {key: _Counted(api, statements) for key, api in apis.items()}
            for child_id in children[1 : 1 + cases]:
                run_case(counted, child_id, None)
            per_case = list(statements.per_request)
            statements.per_request.clear()
            completions = sum(run_generic(counted["sw"], f, None) for f in firsts[1 : 1 + cases])
            generic = sum(statements.per_request)
        names = ["start", *(spec for spec, _who, _data in STEPS)]
        case_calls, _ = _calls(lambda: [run_case(apis, c, None) for c in children[1 + cases :]])
        generic_calls, generic_done = _calls(
            lambda: sum(run_generic(apis["sw"], f, None) for f in firsts[1 + cases :])
        )
        loop_calls = _loop_calls(apis["sw"], loop_id)
    finally:
        db_engine.dispose()
    return {
        "cases": cases,
        "statements_per_step": {
            name: _figure(sum(per_case[n :: len(names)]), cases) for n, name in enumerate(names)
        },
        "statements_per_case": _figure(sum(per_case), cases),
        "calls_per_case": round(case_calls / cases),
        "generic_statements_per_completion": _figure(generic, completions),
        "generic_calls_per_completion": round(generic_calls / generic_done),
        "loop_calls_per_step": growth(loop_calls, unit="calls"),
    }


def each(prefix: str = "cpc_bench_counts") -> dict:
    """The counts on each database the bench runs, each new for them."""
    found = {}
    for label, database in each_database(prefix):
        with database as url:
            found[label] = measure(url)
    return found
