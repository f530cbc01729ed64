"""gunicorn settings: `gunicorn -c python:webui.gunicorn_conf 'webui:create_app()'`.

Each worker starts its own scheduler once it has loaded the app (when `CPC_SCHEDULER=app`,
the default): leases in the database keep every timer and email to one worker. Starting it
after the fork, not in the master, is what makes `--preload` safe too.
"""

from __future__ import annotations

import os

bind = os.environ.get("CPC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CPC_WORKERS", "2"))
timeout = int(os.environ.get("CPC_WORKER_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("CPC_GRACEFUL_TIMEOUT", "30"))


def post_worker_init(worker):
    from webui.scheduling import start_in_app

    start_in_app(worker.wsgi)


def worker_exit(_server, worker):
    from webui.scheduling import stop_in_app

    app = getattr(worker, "wsgi", None)
    if app is not None:
        stop_in_app(app)
