"""`bench/complete.py --sample`: where the gunicorn workers' CPU goes under the bench's load.

cProfile (`--profile`) runs the steps in-process, one request at a time, and its own cost
makes a completion four to five times slower, mostly in small Python calls, so it shrinks
the work done inside C (JSON encoding, the database driver) against the Python around it.
Here py-spy samples the real workers from outside while four clients run the throughput
phase, counting only the samples in which a worker holds the GIL: a worker waiting on
PostgreSQL or on its socket is not running Python, so what is left is close to its CPU.
Samples are read as py-spy's collapsed stacks (one line per distinct stack, with its count).
"""

from __future__ import annotations

import collections
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.support.profiling import GROUPS, PRODUCT, ROOT, group_of

RATE = 250  # samples a second per worker
_STANDARD_LIBRARY = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
_JSON = f"{_STANDARD_LIBRARY}json/"
_FRAME = re.compile(r"^(?P<function>.*) \((?P<path>.*?):(?P<line>\d+)\)$")


def py_spy() -> str | None:
    """py-spy beside the Python running the bench (the dev extra installs it), or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Sampler:
    """py-spy recording each worker (by pid) into `folder` from `start` to `stop`."""

    def __init__(self, pids: list[int], folder: Path):
        self.pids, self.folder = pids, folder
        self.spies: list[subprocess.Popen] = []

    def start(self) -> None:
        command = py_spy()
        if command is None:
            raise SystemExit("--sample needs py-spy: pip install -e '.[dev]'")
        for pid in self.pids:
            record = [command, "record", "--pid", str(pid), "--rate", str(RATE), "--gil"]
            record += ["--nonblocking", "--full-filenames", "--format", "raw"]
            record += ["--output", str(self.folder / f"worker-{pid}.txt")]
            with (self.folder / f"py-spy-{pid}.log").open("w") as log:
                self.spies.append(subprocess.Popen(record, stdout=log, stderr=log))
        time.sleep(1.0)  # py-spy attaches within a few hundred ms
        failed = [spy for spy in self.spies if spy.poll() is not None]
        if failed:
            self.stop()
            log = self.folder / f"py-spy-{failed[0].args[3]}.log"
            raise SystemExit(f"py-spy could not sample a worker: {log.read_text()[:300]}")

    def stop(self) -> list[Path]:
        """Stop every recording (py-spy writes its file on SIGINT); the files written."""
        for spy in self.spies:
            if spy.poll() is None:
                spy.send_signal(signal.SIGINT)
        for spy in self.spies:
            spy.wait(timeout=30)
        return sorted(self.folder.glob("worker-*.txt"))


def _stacks(files: list[Path]):
    for file in files:
        for line in file.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if count.isdigit():
                yield stack.split(";"), int(count)


def summary(files: list[Path], top: int = 25) -> dict:
    """Shares by library (the same groups as `--profile`), the functions with the most samples
    of their own, and the product's functions with the most samples under them."""
    total = in_json = 0
    own: collections.Counter = collections.Counter()
    under: collections.Counter = collections.Counter()
    by_group: collections.Counter = collections.Counter()
    for frames, count in _stacks(files):
        total += count
        own[frames[-1]] += count
        leaf = _path(frames[-1])
        by_group[group_of(leaf)] += count
        if _JSON in leaf:  # the C encoder runs inside `iterencode`'s frame
            in_json += count
        for frame in set(frames):
            if group_of(_path(frame)) == PRODUCT:
                under[frame] += count
    if not total:
        return {"samples": 0}

    def share(count: int) -> float:
        return round(100 * count / total, 1)

    return {
        "samples": total,
        "share_pct_by_library": {name: share(by_group[name]) for name in GROUPS},
        "share_pct_json": share(in_json),
        "own_pct": {_short(f): share(c) for f, c in own.most_common(top)},
        "product_inclusive_pct": {_short(f): share(c) for f, c in under.most_common(top)},
    }


# What the workers' share of each would give were it free, cumulatively: the libraries a
# rewrite of the request path could drop or replace (the driver only by another driver).
_FREED = (
    ("sqlalchemy", ("sqlalchemy",)),
    ("sqlalchemy and json", ("sqlalchemy", "json")),
    ("sqlalchemy, json and the driver", ("sqlalchemy", "json", "database driver")),
)


def ceiling(throughput: dict, sampled: dict, target: float) -> dict:
    """How far the throughput target is from what the libraries cost.

    The phase keeps both cores busy, so completions a second go as the inverse of the CPU a
    case costs in all (the workers, the clients and the database). Taking the workers' share
    of SQLAlchemy, of JSON and of the driver away gives about the most that replacing them
    could give (`completions_per_s_were_free`: the shares are of the samples holding the
    GIL, put to the workers' whole CPU, so a system call made without it, such as the
    driver's socket I/O, is not in them); `workers_ms_per_case_at_target` is what the
    workers could spend on a case at the target, the clients and database as they are.
    """
    cpu, rate = throughput["cpu_ms_per_case"], throughput["completions_per_s"]
    total = sum(cpu.values())
    shares = {**sampled["share_pct_by_library"], "json": sampled["share_pct_json"]}
    freed, left = {}, {}
    for label, parts in _FREED:
        saved = cpu["workers"] * sum(shares[part] for part in parts) / 100
        freed[label] = round(rate * total / (total - saved), 1)
        left[label] = round(cpu["workers"] - saved, 1)
    return {
        "completions_per_s_were_free": freed,
        "workers_ms_per_case_were_free": left,
        "workers_ms_per_case_at_target": round(total * rate / target - total + cpu["workers"], 1),
    }


def _path(frame: str) -> str:
    found = _FRAME.match(frame)
    return found["path"] if found else ""


def _short(frame: str) -> str:
    """`function (path:line)` with the path from site-packages or the repository on."""
    found = _FRAME.match(frame)
    if found is None:
        return frame or "(native)"
    path = found["path"]
    for root in ("site-packages/", ROOT + "/", _STANDARD_LIBRARY):
        path = path.split(root, 1)[-1]
    return f"{found['function']} ({path}:{found['line']})"
