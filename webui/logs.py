"""Structured logs: one JSON object per line, carrying the request id and the signed-in user id.

A council's log collector reads these lines; a person reading them must never learn who a
child is. So what a request logs is chosen here and nowhere else: the method, the URL rule
(`/tasks/<task_id>`), the path without its query string (a search may hold a name) and with
any secret in it replaced by its name (a family link's token opens a family's documents),
the status and the time taken. Form fields, query strings, secrets and names are never
logged; users appear by id only. No other logger writes a request line: gunicorn's access
log is off (`webui/gunicorn_conf.py`) and the development server's is at WARNING.

The request id comes from the proxy's `X-Request-Id` when it sends a sane one, so a line in
the proxy's log and a line here can be matched, and it is sent back on every response.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
QUIET_ENDPOINTS = frozenset({"health.healthz", "health.readyz", "health.metrics", "static"})
QUIET_ENDPOINTS |= {"govuk_assets", "govuk_frontend", "vendor"}
SECRET_ARGS = frozenset({"token"})  # `/family/<token>`: whoever holds it sees the documents
SECRET_PATH = re.compile(r"^(/family/)[^/<][^/]*")
log = logging.getLogger("cpc.request")


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON; `extra={"fields": {...}}` adds named values."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for name in ("request_id", "user_id"):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RequestContext(logging.Filter):
    """Adds the request id and user id to every record written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            user = g.get("user")
            record.user_id = user.id if user is not None else None
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is now (test runners and gunicorn replace it)."""

    def __init__(self):
        super().__init__()
        self.addFilter(RequestContext())
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(level: str) -> None:
    """One JSON handler on the root logger (replacing any earlier one), at `level`.

    SQLAlchemy stays at WARNING whatever the level: its INFO lines carry query parameters,
    which hold names. So does the development server's (werkzeug) request line, which has
    the query string; ours replaces it. SpiffWorkflow's step-by-step lines are for DEBUG, and
    so are APScheduler's: it writes two INFO lines per job run, and the scheduler runs jobs
    every second, which buried everything else (the engine logs what a job did itself).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StderrHandler):
            root.removeHandler(handler)
    root.addHandler(StderrHandler())
    root.setLevel(level)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # SpiffWorkflow reads its own loggers' `level` (not the level they inherit) to decide
    # whether to walk a workflow's every task for a log line's extras, so each is set.
    for chatty in ("spiff", "spiff.task", "spiff.workflow", "spiff.data", "apscheduler"):
        logging.getLogger(chatty).setLevel(level if level == "DEBUG" else logging.WARNING)
    scheduler = logging.getLogger("apscheduler.scheduler")
    if level == "DEBUG":
        scheduler.removeFilter(SKIPPED_TICK)
    else:
        scheduler.addFilter(SKIPPED_TICK)  # once: a filter already there is not added again


class SkippedTick(logging.Filter):
    """APScheduler warns whenever a job's tick is skipped because its last run has not ended.

    Each job runs one at a time (`max_instances=1`) by design, so a slow sweep is never run
    twice at once; while the database is slow that warning came every second per job and
    buried what the engine itself says (the heartbeat and /readyz tell of a stuck scheduler).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


SKIPPED_TICK = SkippedTick()


def _start() -> None:
    sent = request.headers.get("X-Request-Id", "")
    g.request_id = sent if REQUEST_ID.match(sent) else secrets.token_hex(8)


def _send_request_id(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    return response


def safe_path() -> str:
    """The request's path as it may be logged: no query string, and each secret the route
    carries (`SECRET_ARGS`) replaced by its name, as in `/family/<token>`."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and value:
            path = path.replace(str(value), f"<{name}>")
    # A path no route matched (a mistyped link) has no view arguments to go by.
    return SECRET_PATH.sub(r"\1<token>", path)


def log_request(response, seconds: float) -> None:
    """The request's one line, given the time `request_timing` took for it."""
    level = logging.DEBUG if request.endpoint in QUIET_ENDPOINTS else logging.INFO
    if log.isEnabledFor(level):
        fields = {
            "method": request.method,
            "rule": request.url_rule.rule if request.url_rule else None,
            "path": safe_path(),
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
        }
        log.log(level, "request", extra={"fields": fields})


def init_app(app: Flask) -> None:
    configure(app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_send_request_id)
