"""gunicorn serving the app on a free port, its access log (server-side times), worker memory,
and a small HTTP client sending a service account's token."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import time
from pathlib import Path

from bench.support import settings

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, workers: int, access_log: Path):
    """The app as production runs it (no scheduler: the bench measures requests only)."""
    port = free_port()
    env = {
        **os.environ,
        **settings.production(str(access_log.parent / "mail")),
        "DATABASE_URL": url,
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        "%(m)s %(U)s %(s)s %(M)s",
        "webui:create_app()",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
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


def server_times_ms(access_log: Path, method: str, path_part: str) -> list[float]:
    """What gunicorn measured for matching requests: no client, no connection set-up."""
    times = []
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == method and path_part in parts[1]:
            times.append(float(parts[3]))
    return times


def worker_rss_mb(server) -> float | None:
    """The largest resident memory of the server's workers."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children or [str(server.pid)]:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
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
