"""Running the engine's scheduler for the app: in each web worker, or as `cpc scheduler`.

`create_app` never starts threads (a `cpc deploy` must not sweep timers); the entry points
that serve do: `cpc serve`, and gunicorn's `post_worker_init` hook in `webui/gunicorn_conf.py`,
when `SCHEDULER` is `app`. With `SCHEDULER=off`, one `cpc scheduler` process does the work.
Both may run together: the engine's leases keep every timer and email to one process.
"""

from __future__ import annotations

import atexit

from flask import Flask

from engine.operations.scheduler import Intervals, Scheduler

from .mail import transport_for


def build(app: Flask, mode: str) -> Scheduler:
    services = app.extensions["cpc"]
    intervals = Intervals(
        sweep_seconds=app.config["TIMER_SWEEP_SECONDS"],
        mail_seconds=app.config["MAIL_SEND_SECONDS"],
        lease_seconds=app.config["TIMER_LEASE_SECONDS"],
    )
    return Scheduler(
        services.sessions,
        services.workflow,
        transport_for(app),
        app.config["BASE_URL"],
        mode=mode,
        intervals=intervals,
    )


def start_in_app(app: Flask) -> Scheduler | None:
    """Start this process's background scheduler once, if the settings ask for it."""
    if app.config["SCHEDULER"] != "app":
        return None
    running = app.extensions.get("cpc_scheduler")
    if running is not None:
        return running
    scheduler = build(app, "app")
    app.extensions["cpc_scheduler"] = scheduler
    scheduler.start()
    atexit.register(scheduler.shutdown)
    return scheduler


def stop_in_app(app: Flask) -> None:
    scheduler = app.extensions.pop("cpc_scheduler", None)
    if scheduler is not None:
        scheduler.shutdown()
