"""gunicorn serving the app on a free port with the production config, its request log
(server-side times), worker memory, and a small HTTP client sending a service account's token."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.support import settings

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int, request_log: Path):
    """The app as production runs it: gunicorn with the production config file (its metrics
    folder, its JSON logging at INFO, one line per request) and no scheduler, since the bench
    measures requests only. The workers' log goes to `request_log`."""
    port = free_port()
    env = {
        **os.environ,
        **settings.production(str(request_log.parent / "mail")),
        "CPC_LOG_LEVEL": "INFO",  # production's level: each request writes its log line
        "CPC_BIND": f"127.0.0.1:{port}",
        "CPC_WORKERS": str(workers),
        "DATABASE_URL": url,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the config makes a fresh folder of its own
    command = [
        str(Path(sys.executable).with_name("gunicorn")),  # beside the Python running the bench
        "--config",
        "python:webui.gunicorn_conf",
        "webui:create_app()",
    ]
    with request_log.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log)
        try:
            _wait_for(port, server)
            yield server, port
        finally:
            server.terminate()
            server.wait(timeout=20)


def _wait_for(port: int, server) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def server_times_ms(request_log: Path, method: str, path_part: str) -> list[float]:
    """What the app measured for matching requests (its request log line's `duration_ms`):
    no client, no connection set-up."""
    times = []
    for line in request_log.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # gunicorn's own start-up lines
        if (
            entry.get("message") == "request"
            and entry.get("method") == method
            and path_part in entry.get("path", "")
        ):
            times.append(float(entry["duration_ms"]))
    return times


def worker_rss_mb(server) -> float | None:
    """The largest resident memory of the server's workers."""
    return _largest(server, "status", "VmRSS:")


def worker_pss_mb(server) -> float | None:
    """The largest proportional memory of the server's workers: what each holds alone plus
    its share of the pages it shares with the master and the other workers."""
    return _largest(server, "smaps_rollup", "Pss:")


def worker_pids(server) -> list[int]:
    """The gunicorn master's workers (the master itself if it has none)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children] or [server.pid]


def _largest(server, proc_file: str, field: str) -> float | None:
    sizes = []
    for pid in worker_pids(server):
        for line in Path(f"/proc/{pid}/{proc_file}").read_text().splitlines():
            if line.startswith(field):
                sizes.append(int(line.split()[1]) / 1024)
    return round(max(sizes), 1) if sizes else None


class Client:
    """One service account calling the API over a fresh connection per request (gunicorn's
    sync workers close each connection after the response)."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body=None) -> tuple[int, dict, float]:
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, payload, self.headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        return response.status, json.loads(raw) if raw else {}, elapsed

    def ok(self, method: str, path: str, body=None) -> tuple[dict, float]:
        status, answer, elapsed = self.call(method, path, body)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {answer}")
        return answer, elapsed
