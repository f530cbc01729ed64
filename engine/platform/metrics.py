"""Counters for Prometheus, bumped as work happens (the gauges: `engine.operations.gauges`).

Counters (task completions, timers fired and their lag, sign-in failures) count events in the
process where they happen; under gunicorn `PROMETHEUS_MULTIPROC_DIR` makes prometheus_client
add them up across workers.

Labels carry process ids and statuses only: never a name, a username or a case reference.
"""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import Counter, Histogram

# Multiprocess mode writes a file per process there: a command started in the same
# environment as gunicorn (`cpc scheduler`, `cpc db upgrade`) must not fail on a missing folder.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

TASK_COMPLETIONS = Counter("cpc_task_completions", "User tasks completed, by process.", ["process"])
TIMERS_FIRED = Counter("cpc_timers_fired", "Timer events fired, by process.", ["process"])
TIMER_LAG = Histogram(
    "cpc_timer_lag_seconds",
    "How long after its due moment each timer fired.",
    ["process"],
    buckets=(1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 24 * 3600),
)
SIGN_IN_FAILURES = Counter("cpc_sign_in_failures", "Sign-in attempts refused.")


def task_completed(process_id: str) -> None:
    TASK_COMPLETIONS.labels(process_id).inc()


def timers_fired(process_id: str, count: int, lags_seconds: list[float]) -> None:
    TIMERS_FIRED.labels(process_id).inc(count)
    for lag in lags_seconds:
        TIMER_LAG.labels(process_id).observe(max(lag, 0.0))


def sign_in_failed() -> None:
    SIGN_IN_FAILURES.inc()
