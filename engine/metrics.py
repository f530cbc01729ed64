"""Figures for Prometheus: counters bumped as work happens, gauges read at scrape time.

Counters (task completions, timers fired and their lag, sign-in failures) count events in the
process where they happen; under gunicorn `PROMETHEUS_MULTIPROC_DIR` makes prometheus_client
add them up across workers. Gauges (instances by process and status, timers waiting and
overdue, the outbox, the scheduler's heartbeat) describe the whole deployment, so they are
read from the database when scraped and are the same whichever worker answers.

Labels carry process ids and statuses only: never a name, a username or a case reference.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from .models.instances import counts_by_process_and_status
from .models.outbox import counts_by_status, oldest_pending
from .models.processes import latest_versions
from .models.scheduler import last_heartbeat, processes_seen_since
from .models.timers import waiting_figures
from .scheduler import SILENT_AFTER

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


class DatabaseFigures:
    """A collector for one scrape: the deployment's state as gauges, a few grouped queries."""

    def __init__(self, session: Session, now: datetime):
        self.session, self.now = session, now

    def collect(self):
        yield from self._instances()
        yield from self._timers()
        yield from self._outbox()
        yield from self._scheduler()
        yield from self._versions()

    def _instances(self):
        gauge = GaugeMetricFamily(
            "cpc_instances",
            "Process instances by process and status.",
            labels=["process", "status"],
        )
        for (process, status), count in sorted(counts_by_process_and_status(self.session).items()):
            gauge.add_metric([process, status], count)
        yield gauge

    def _timers(self):
        waiting, overdue, oldest = waiting_figures(self.session, self.now)
        yield GaugeMetricFamily(
            "cpc_timers_waiting", "Timers of running instances waiting to fire.", value=waiting
        )
        yield GaugeMetricFamily(
            "cpc_timers_overdue", "Waiting timers whose moment has passed.", value=overdue
        )
        late = (self.now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "cpc_timer_overdue_seconds",
            "How far past its moment the most overdue waiting timer is (0 when none).",
            value=late,
        )

    def _outbox(self):
        gauge = GaugeMetricFamily("cpc_outbox_messages", "Emails by status.", labels=["status"])
        for status, count in counts_by_status(self.session).items():
            gauge.add_metric([status], count)
        yield gauge
        oldest = oldest_pending(self.session)
        waited = (self.now - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "cpc_outbox_oldest_pending_seconds",
            "How long the longest-waiting unsent email has waited (0 when none).",
            value=max(waited, 0.0),
        )

    def _scheduler(self):
        beat = last_heartbeat(self.session)
        live = processes_seen_since(self.session, self.now - SILENT_AFTER)
        yield GaugeMetricFamily(
            "cpc_scheduler_processes_live",
            "Scheduler processes whose heartbeat is fresh.",
            value=len(live),
        )
        if beat is not None:
            yield GaugeMetricFamily(
                "cpc_scheduler_heartbeat_age_seconds",
                "Seconds since any scheduler process last reported in.",
                value=max((self.now - beat).total_seconds(), 0.0),
            )

    def _versions(self):
        gauge = GaugeMetricFamily(
            "cpc_deployed_version",
            "The newest deployed version of each process.",
            labels=["process"],
        )
        for version in latest_versions(self.session):
            gauge.add_metric([version.process_id], version.id)
        yield gauge
