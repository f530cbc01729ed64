from __future__ import annotations

import hmac
import os
from datetime import timedelta

from flask import Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from engine.operations import readiness
from engine.operations.gauges import DatabaseFigures

from ..extensions import db, workflow
from . import bp

LOOPBACK = frozenset({"127.0.0.1", "::1"})


@bp.route("/healthz")
def healthz():
    """The process answers: nothing else is asked, so a slow database never restarts it."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz():
    """Ready to do the work: 200 when every check passes, 503 naming each that does not.

    `?check=database&check=migrations` runs only those (what a load balancer should ask).
    """
    stuck_after = timedelta(seconds=current_app.config["OUTBOX_STUCK_SECONDS"])
    only = request.args.getlist("check") or readiness.CHECKS
    try:
        result = readiness.check(db(), workflow().clock.now(), stuck_after, only)
    except ValueError as exc:
        abort(400, str(exc))
    body = {
        "status": "ready" if result.ok else "not ready",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in result.checks},
    }
    return body, 200 if result.ok else 503


@bp.route("/metrics")
def metrics():
    """Prometheus text format: this deployment's counters, and its state from the database."""
    _allow_scraper()
    counters = _counter_registry()
    figures = CollectorRegistry()
    figures.register(DatabaseFigures(db(), workflow().clock.now()))
    body = generate_latest(counters) + generate_latest(figures)
    return Response(body, mimetype=None, content_type=CONTENT_TYPE_LATEST)


def _allow_scraper() -> None:
    """With METRICS_TOKEN set, demand it as a bearer token; without, only this machine.

    A request that came through a proxy (it carries X-Forwarded-For) is never "this machine",
    even when the proxy itself runs here.
    """
    token = current_app.config["METRICS_TOKEN"]
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            abort(401, "Send the metrics token as a bearer token.")
        return
    if request.remote_addr not in LOOPBACK or "X-Forwarded-For" in request.headers:
        abort(403, "Metrics are served to this machine only; set CPC_METRICS_TOKEN to scrape.")


def _counter_registry():
    """Under gunicorn every worker writes its counters to PROMETHEUS_MULTIPROC_DIR: add up."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
