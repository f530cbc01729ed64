"""The scheduler every process may run: timer sweep, mail sender, daily digest, heartbeat.

Run it inside each app worker or as one dedicated process (`cpc scheduler`), or both: the
leases in `engine/workflow/timers.py` and `engine/messaging/outbox.py` make several schedulers
safe together,
and the digest is claimed once a day through a `scheduled_runs` row. On start it catches up
at once: every timer that fell due while nothing was running fires, earliest first.

APScheduler runs the jobs; each job is also a plain method, so tests and `cpc scheduler
--once` call them directly with an injected clock.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import and_, delete, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from engine.access import access
from engine.messaging import outbox
from engine.models import council_settings
from engine.models import outbox as outbox_rows
from engine.models import timers as timer_rows
from engine.models.instances import ProcessInstance, versions_in_use
from engine.models.people import User
from engine.models.processes import ProcessVersion
from engine.models.scheduler import ScheduledRun, SchedulerProcess, processes_seen_since
from engine.platform import settings
from engine.platform.clock import LONDON
from engine.platform.db import transaction
from engine.reporting import retention
from engine.workflow import timers

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15
SILENT_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
FORGET_PROCESSES_AFTER = timedelta(days=1)


def sweep_expected(batch: int = timers.BATCH) -> timedelta:
    """How long one batch of the sweep may take: every instance in it running its diagram's
    code to the time budget twice (in the batch, then alone), and a minute for the rest."""
    budget = float(settings.get("expression_time_limit_seconds"))
    return timedelta(seconds=60 + 2 * batch * budget)


@dataclass
class Intervals:
    sweep_seconds: float = 1.0
    mail_seconds: float = 5.0
    lease_seconds: int = timers.LEASE_SECONDS
    batch: int = timers.BATCH


def owner_name() -> str:
    """Unique per process start: host, pid and a random tag (pids are reused)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class Scheduler:
    """The jobs of one process, with the counters its heartbeat reports."""

    def __init__(
        self,
        sessions: sessionmaker,
        engine,
        transport: outbox.Transport,
        base_url: str,
        mode: str = "app",
        intervals: Intervals | None = None,
    ):
        self.sessions, self.engine, self.transport = sessions, engine, transport
        self.base_url, self.mode = base_url, mode
        self.intervals = intervals or Intervals()
        self.owner = owner_name()
        self.started_at = engine.clock.now()
        self.timers_fired = 0
        self.mail_sent = 0
        self.sweep_busy_since: datetime | None = None  # reported by the heartbeat
        self._aps = None

    # ---- the jobs --------------------------------------------------------------------------

    def sweep_timers(self) -> timers.SweepResult:
        self.sweep_busy_since = self.engine.clock.now()
        with self.sessions() as session:  # fire with the council settings saved last
            council_settings.refresh(session)
        try:
            result = timers.sweep(
                self.sessions,
                self.engine,
                self.owner,
                self.intervals.lease_seconds,
                self.intervals.batch,
                progress=self._sweep_moved_on,
            )
        finally:
            self.sweep_busy_since = None
        self.timers_fired += result.timers
        return result

    def _sweep_moved_on(self) -> None:
        self.sweep_busy_since = self.engine.clock.now()

    def send_mail(self) -> outbox.DeliveryResult:
        result = outbox.deliver(
            self.sessions, self.transport, self.owner, self.engine.clock, self.base_url
        )
        self.mail_sent += result.sent
        return result

    def send_digest(self) -> int:
        """Queue today's digests once the council's digest time has passed (once a day)."""
        now = self.engine.clock.now()
        local = now.astimezone(LONDON)
        due_at = time.fromisoformat(settings.get("daily_digest_time"))
        if local.time() < due_at:
            return 0
        with self.sessions() as session:
            if not self._claim_period(session, "digest", local.date().isoformat(), now):
                return 0
            return outbox.send_digests(session, now, local.date(), self.base_url)

    def review_retention(self) -> int:
        """Once a day, after the digest time: count records due for retention review."""
        now = self.engine.clock.now()
        local = now.astimezone(LONDON)
        if local.time() < time.fromisoformat(settings.get("daily_digest_time")):
            return 0
        with self.sessions() as session:
            if not self._claim_period(session, "retention", local.date().isoformat(), now):
                return 0
            return retention.report(session, now, local.date())

    def heartbeat(self) -> None:
        now = self.engine.clock.now()
        with self.sessions() as session, transaction(session):
            row = session.get(SchedulerProcess, self.owner)
            if row is None:
                host, pid, _tag = self.owner.split(":")
                row = SchedulerProcess(
                    id=self.owner, host=host, pid=int(pid), mode=self.mode, started_at=now
                )
                session.add(row)
            row.beat_at, row.timers_fired, row.mail_sent = now, self.timers_fired, self.mail_sent
            row.sweep_busy_since = self.sweep_busy_since
            forget = now - FORGET_PROCESSES_AFTER
            session.execute(delete(SchedulerProcess).where(SchedulerProcess.beat_at < forget))

    def run_once(self) -> dict:
        """Everything a tick does, once: the catch-up on start, and `cpc scheduler --once`."""
        self.heartbeat()
        swept = self.sweep_timers()
        digests = self.send_digest()
        self.review_retention()
        mail = self.send_mail()
        self.heartbeat()
        return {
            "timers": swept.timers,
            "instances": swept.instances,
            "failed": len(swept.failed),
            "digests": digests,
            "mail_sent": mail.sent,
            "mail_deferred": mail.deferred,
        }

    def _claim_period(self, session, job: str, period: str, now: datetime) -> bool:
        """Whether this process is the one to run `job` for `period` (first insert wins)."""
        query = select(ScheduledRun).where(ScheduledRun.job == job, ScheduledRun.period == period)
        if session.scalar(query) is not None:
            return False
        try:
            with transaction(session):
                session.add(ScheduledRun(job=job, period=period, owner=self.owner, at=now))
        except IntegrityError:
            return False
        return True

    # ---- APScheduler ----------------------------------------------------------------------

    def start(self, blocking: bool = False) -> None:
        """Run the jobs on their intervals until `shutdown`; the first run is immediate."""
        aps = (
            BlockingScheduler(timezone=LONDON)
            if blocking
            else BackgroundScheduler(timezone=LONDON, daemon=True)
        )
        now = datetime.now(LONDON)
        jobs = (
            (self.sweep_timers, self.intervals.sweep_seconds),
            (self.send_mail, self.intervals.mail_seconds),
            (self.send_digest, 60),
            (self.review_retention, 600),
            (self.heartbeat, HEARTBEAT_SECONDS),
        )
        for job, seconds in jobs:
            aps.add_job(
                _logged(job),
                "interval",
                seconds=seconds,
                next_run_time=now,
                id=job.__name__,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self._aps = aps
        log.info("scheduler %s started (%s)", self.owner, self.mode)
        aps.start()

    def shutdown(self) -> None:
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=True)
            log.info("scheduler %s stopped", self.owner)

    @property
    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._aps.get_jobs()) if self._aps else []


def _logged(job):
    """A job that logs its failure and lets the next tick try again (a database restart)."""

    def run():
        try:
            job()
        except Exception:  # noqa: BLE001 - the scheduler must outlive any one failure
            log.exception("scheduler job %s failed", job.__name__)

    run.__name__ = job.__name__
    return run


@dataclass
class Status:
    """What managers see of the scheduler: is it alive, what is due, what failed."""

    now: datetime
    processes: list[SchedulerProcess]
    firing: list[ProcessInstance]
    failing: list[ProcessInstance]
    due_next: list[timer_rows.Timer]
    overdue: int
    recently_fired: list[timer_rows.Timer]
    mail_counts: dict[str, int]
    mail_failed: list[outbox_rows.OutboxMessage]
    mail_pending: list[outbox_rows.OutboxMessage]
    mail_sent: list[outbox_rows.OutboxMessage]
    versions: list[tuple[ProcessVersion, int, bool]]

    def silent(self, process: SchedulerProcess) -> bool:
        return self.now - process.beat_at > SILENT_AFTER

    @property
    def live_processes(self) -> int:
        return sum(not self.silent(p) for p in self.processes)


def status(session, now: datetime, viewer: User | None = None) -> Status:
    """The scheduler page. The counts and processes are the service's health and name no
    case; the lists of cases and emails hold only those `viewer` may see (a team manager:
    their team's children; an email about no case: service managers and its addressee)."""
    cases, mail = true(), true()
    if viewer is not None and not access.sees_every_child(viewer):
        cases = access.child_filter(viewer, ProcessInstance.child_id)
        visible = select(ProcessInstance.id).where(cases)
        message = outbox_rows.OutboxMessage
        mail = or_(
            message.instance_id.in_(visible),
            and_(message.instance_id.is_(None), message.to_user_id == viewer.id),
        )
    return Status(
        now=now,
        processes=processes_seen_since(session, now - FORGET_PROCESSES_AFTER),
        firing=timers.leased(session, now, cases),
        failing=timers.failing(session, cases),
        due_next=timer_rows.waiting_timers(session, limit=20, condition=cases),
        overdue=timer_rows.count_overdue(session, now),
        recently_fired=timer_rows.recently_fired(session, limit=20, condition=cases),
        mail_counts=outbox_rows.counts_by_status(session),
        mail_failed=outbox_rows.messages_with_status(session, outbox_rows.FAILED, condition=mail),
        mail_pending=outbox_rows.messages_with_status(session, outbox_rows.PENDING, condition=mail),
        mail_sent=outbox_rows.messages_with_status(
            session, outbox_rows.SENT, limit=20, condition=mail
        ),
        versions=versions_in_use(session),
    )
