"""gunicorn settings: `gunicorn -c python:webui.gunicorn_conf 'webui:create_app()'`.

Everything comes from environment variables (docs/deploy.md lists them). The master checks
the app's settings before it forks, so a missing or wrong one stops the start with one line
each, instead of workers failing to boot one after another.

Each worker starts its own scheduler once it has loaded the app (when `CPC_SCHEDULER=app`,
the default): leases in the database keep every timer and email to one worker. Starting it
after the fork, not in the master, is what makes `--preload` safe too. On SIGTERM (or
SIGHUP, a graceful reload) each worker finishes its requests within `graceful_timeout`, stops
its scheduler after the job in hand, and exits; a timer it had leased is fired by another.
A worker whose master is gone (killed, say) does the same within a second: gunicorn's own
check runs only between connections, so a busy orphan used to serve, scheduler and all, for
as long as requests kept coming.

The app is loaded once in the master and shared by the workers it forks (`preload_app`;
`CPC_PRELOAD=0` loads it in each worker instead): the code, the libraries and the parsed
settings sit in pages the workers share until one writes to them. Before each fork the
master's objects are frozen out of the cyclic collector's walks, so a worker's collections do
not write to (and so copy) the shared pages; after the fork each worker drops the database
connections it inherited, unused, so no two processes share a socket.

Metrics: prometheus_client adds up the counters of every worker through files in
`PROMETHEUS_MULTIPROC_DIR`. When it is not set, a fresh folder is made for this server and
removed when it stops; it must be set before any worker imports prometheus_client, which is
why it is done here, at the top.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _number(name: str, default: int) -> int:
    """A whole number from the environment; a wrong one is reported by `on_starting`."""
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        _wrong.append(f"{name} must be a whole number, not {os.environ[name]!r}")
        return default


_wrong: list[str] = []
bind = os.environ.get("CPC_BIND", "127.0.0.1:8000")
workers = _number("CPC_WORKERS", 2)
threads = _number("CPC_THREADS", 1)
timeout = _number("CPC_WORKER_TIMEOUT", 60)
graceful_timeout = _number("CPC_GRACEFUL_TIMEOUT", 30)
keepalive = _number("CPC_KEEPALIVE", 5)
preload_app = os.environ.get("CPC_PRELOAD", "1").strip() not in ("0", "false", "no")
# Recycle a worker after this many requests (0: never); the jitter staggers the restarts.
max_requests = _number("CPC_MAX_REQUESTS", 0)
max_requests_jitter = max(max_requests // 10, 0)
# The app writes one JSON line per request (webui/logs.py), with its request id and never
# the query string or a family link's token. gunicorn's access line has both, and a
# `logconfig_dict` turns it on even with `accesslog = None`: its logger is silenced below.
accesslog = None
_level = os.environ.get("CPC_LOG_LEVEL", "INFO").strip().upper()
loglevel = _level.lower() if _level in _LEVELS else "info"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {},
    "handlers": {"json": {"()": "webui.logs.StderrHandler"}},
    "root": {"level": loglevel.upper(), "handlers": ["json"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
    },
}

_made_metrics_dir = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _made_metrics_dir = tempfile.mkdtemp(prefix="cpc-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made_metrics_dir


def on_starting(server):
    """Refuse to start on wrong settings; begin the metrics with a clean folder."""
    from webui.config import SettingsError, settings_for

    problems = list(_wrong)
    for name, value in (("CPC_WORKERS", workers), ("CPC_THREADS", threads)):
        if value < 1:
            problems.append(f"{name} must be at least 1, not {value}")
    try:
        settings_for(os.environ)
    except SettingsError as exc:
        problems += exc.problems
    if problems:
        print(SettingsError(problems), file=sys.stderr, flush=True)
        on_exit(server)
        raise SystemExit(1)
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):  # counters of a previous run
        stale.unlink()


def pre_fork(_server, _worker):
    """With the app preloaded: keep the master's objects out of the collector's walks, so
    the worker's collections leave the pages it shares with the master as they are."""
    if preload_app:
        from webui.memory import freeze_what_is_loaded

        freeze_what_is_loaded()


def post_fork(_server, worker):
    """A forked worker never uses a connection the master opened (none is, but a pool
    inherited across a fork would share its sockets with the other workers)."""
    app = getattr(worker.app, "callable", None)  # the preloaded app, if there is one
    services = getattr(app, "extensions", {}).get("cpc") if app is not None else None
    if services is not None:
        services.db_engine.dispose(close=False)


def post_worker_init(worker):
    from webui.memory import FullCollections, freeze_what_is_loaded
    from webui.scheduling import start_in_app

    start_in_app(worker.wsgi)
    _stop_when_orphaned(worker)
    freeze_what_is_loaded()  # the app is loaded: no full collection walks it again
    worker.cpc_collections = FullCollections()
    worker.cpc_workflow_cache = worker.wsgi.extensions["cpc"].workflow.cache


def post_request(worker, _req, _environ, _resp):
    """After the response is written (gunicorn calls this before closing the connection,
    once the client has the whole response): the workflows the request dropped from the
    cache taken apart, and a full collection when its turn has come."""
    cache = getattr(worker, "cpc_workflow_cache", None)
    if cache is not None:
        cache.let_go_dropped()
    collections = getattr(worker, "cpc_collections", None)
    if collections is not None:
        collections.request_served()


def _stop_when_orphaned(worker, every: float = 1.0) -> None:
    """Once a second, check the master is still this worker's parent; if not, stop as on
    SIGTERM (finish the request in hand, stop the scheduler in `worker_exit`, exit)."""

    def watch():
        while worker.alive:
            if os.getppid() != worker.ppid:
                worker.log.warning("master %s is gone: worker %s stops", worker.ppid, worker.pid)
                os.kill(os.getpid(), signal.SIGTERM)
                return
            time.sleep(every)

    threading.Thread(target=watch, name="cpc-master-watch", daemon=True).start()


def worker_exit(_server, worker):
    from webui.scheduling import stop_in_app

    app = getattr(worker, "wsgi", None)
    if app is not None:
        stop_in_app(app)


def child_exit(_server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server):
    if _made_metrics_dir is not None:
        shutil.rmtree(_made_metrics_dir, ignore_errors=True)
