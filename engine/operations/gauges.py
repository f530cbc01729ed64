"""Gauges for Prometheus, read from the database when scraped.

Gauges (instances by process and status, timers waiting and overdue, the outbox, the
scheduler's heartbeat) describe the whole deployment, so they are read at scrape time and are
the same whichever worker answers. Labels carry process ids and statuses only.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.orm import Session

from engine.models.instances import counts_by_process_and_status
from engine.models.outbox import counts_by_status, oldest_pending
from engine.models.processes import latest_versions
from engine.models.scheduler import last_heartbeat, processes_seen_since
from engine.models.timers import waiting_figures
from engine.operations.scheduler import SILENT_AFTER


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
