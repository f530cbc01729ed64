"""`bench/complete.py --profile`: where a completion's CPU goes, in-process.

Both shapes of the bench (the real ICPC steps and the generic ten tasks) are run through the
app's WSGI test client on SQLite under cProfile, so no socket or second process blurs the
picture, and timed by CPU so other work on the machine does not skew it. Prints, per shape,
the share of time by library and the top functions by their own time (the README's
benchmark section quotes them).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from bench.support.figures import growth

ROOT = str(Path(__file__).resolve().parent.parent.parent)
LIBRARIES = (
    ("sqlalchemy", "/sqlalchemy/"),
    ("flask and werkzeug", ("/flask/", "/werkzeug/", "/jinja2/")),
    ("SpiffWorkflow", "/SpiffWorkflow/"),
    ("database driver", ("sqlite3.", "/psycopg")),
)
PRODUCT = "the product"
GROUPS = (*(name for name, _marks in LIBRARIES), PRODUCT)
_PRODUCT_FOLDERS = tuple(f"{ROOT}/{folder}/" for folder in ("engine", "webui", "forms"))


def group_of(where: str) -> str | None:
    """Which of `GROUPS` a function belongs to, by its file (or, for a C function, its name);
    None for the rest (the standard library, other packages). SQLAlchemy's own `engine`
    package is SQLAlchemy's, not the product's."""
    for name, marks in LIBRARIES:
        if any(mark in where for mark in ((marks,) if isinstance(marks, str) else marks)):
            return name
    if where.startswith(_PRODUCT_FOLDERS):
        return PRODUCT
    return None


class Api:
    """The bench's HTTP client (bench/support/server.py's `Client.ok`) over the app's WSGI test
    client, so the same case code runs in-process (here and in bench/support/counts.py)."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def ok(self, method: str, path: str, body=None):
        response = self.client.open(path, method=method, json=body, headers=self.headers)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.json}")
        return response.json, 0.0


def run(prepare, steps, generic_fields: dict, instances: int) -> None:
    from bench.complete import run_case, run_generic
    from webui import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/profile.sqlite3"
        secrets, children, _loop, firsts = prepare(url, instances + 1, instances + 1)
        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        apis = {key: Api(client, secret) for key, secret in secrets.items()}
        run_case(apis, children[0], None)  # warm the caches, as the HTTP bench does
        run_generic(apis["sw"], firsts[0], None)
        for label, work, count in (
            ("real ICPC steps", lambda: [run_case(apis, c, None) for c in children[1:]], 4),
            (
                "generic ten tasks",
                lambda: [run_generic(apis["sw"], f, None) for f in firsts[1:]],
                10,
            ),
        ):
            # CPU time, not wall time: the figures hold on a machine busy with other work.
            profiler = cProfile.Profile(time.process_time)
            started = time.process_time()
            profiler.runcall(work)
            cpu = time.process_time() - started
            _report(label, profiler, cpu, instances * count)
        app.extensions["cpc"].db_engine.dispose()


def _report(label: str, profiler, cpu: float, completions: int) -> None:
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    print(f"## {label}: {completions} completions, {cpu * 1000 / completions:.2f} ms of CPU each")
    own = dict.fromkeys(GROUPS, 0.0)
    for (path, _line, function), row in stats.stats.items():
        group = group_of(path if path != "~" else function)  # "~": a C function
        if group is not None:
            own[group] += row[2]
    for name, time_spent in own.items():
        print(f"  {name}: {100 * time_spent / total:.0f}%")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    print(out.getvalue().split("ncalls", 1)[-1][:4000])
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"/(engine|webui)/", 30)
    print(out.getvalue().split("ncalls", 1)[-1][:6000])


def run_loop(prepare, steps: int, profile: bool = True, url: str | None = None) -> None:
    """`bench/complete.py --profile-loop`: one instance whose task loops `steps` times, through
    the WSGI test client on SQLite. Each step's CPU is timed, and steps 3-7 and the last five
    are profiled apart, so what grows with the instance's history shows as the difference
    (`profile=False`: timed only, the figures without the profiler's own cost; `url`: another
    database than a new SQLite file)."""
    early, late = cProfile.Profile(time.process_time), cProfile.Profile(time.process_time)
    cpu = loop_cpu_ms(prepare, steps, url, (early, late) if profile else None)
    print(f"## one instance looping {steps} times, CPU ms per step: {growth(cpu)}")
    if not profile:
        return
    for label, profiler, ms in (
        ("steps 3-7", early, sum(cpu[2:7])),
        (f"steps {steps - 4}-{steps}", late, sum(cpu[-5:])),
    ):
        _report(f"loop, {label}", profiler, ms / 1000, 5)


def loop_cpu_ms(prepare, steps: int, url: str | None = None, profilers=None) -> list[float]:
    """The CPU each step of one instance looping `steps` times took, in-process through the
    WSGI test client (on `url`, or a new SQLite file); `profilers` (early, late), if given,
    profile steps 3-7 and the last five."""
    from webui import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = url or f"sqlite:///{folder}/profile.sqlite3"
        secrets, _children, (loop_id,), _firsts = prepare(url, 1, 0)
        app = create_app({"DATABASE_URL": url})
        api = Api(app.test_client(), secrets["sw"])
        cpu: list[float] = []
        for n, complete in enumerate(loop_steps(api, loop_id, steps)):
            profiler = None
            if profilers is not None:
                early, late = profilers
                profiler = early if 2 <= n < 7 else late if n >= steps - 5 else None
            started = time.process_time()
            profiler.runcall(complete) if profiler else complete()
            cpu.append((time.process_time() - started) * 1000)
        app.extensions["cpc"].db_engine.dispose()
    return cpu


def loop_steps(api: Api, loop_id: int, steps: int):
    """The looping instance's next `steps` steps, one callable each: called, it completes
    the instance's ready task and returns the API's answer (the next step needs it)."""
    listed, _ = api.ok("GET", "/api/v1/tasks?scope=role&limit=500")
    task = next(t for t in listed["tasks"] if t["instance_id"] == loop_id)
    for n in range(steps):
        answer: dict = {}

        def complete(task_id=task["id"], n=n, answer=answer):
            data = {"data": {"visit": n, "stop": False}}
            answer.update(api.ok("POST", f"/api/v1/tasks/{task_id}/complete", data)[0])
            return answer

        yield complete
        task = answer["ready_tasks"][0]
