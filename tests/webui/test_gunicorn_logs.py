"""What production writes to its log, read back from gunicorn run with the production config
file on a throwaway SQLite database: no query string, no family link's token, no name, and
no line a second from the scheduler. And what a client sending too large a body reads, and
how soon a worker stops once its master is killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path

from engine.models import make_session_factory
from engine.platform.db import make_engine
from tests.factories import make_service_account, make_token, make_user
from tests.webui.test_gunicorn_conf import (
    Browser,
    answers,
    cpc,
    free_port,
    gunicorn,
    production_env,
    wait_until,
)

NAME = "Oriel Fennimore-Vasquez"
TOKEN = "fAmIlYlInKtOkEn-" + "q" * 27


def post_raw(port: int, size: int) -> bytes:
    """POST a body of `size` bytes the way a simple client does (all of it, then read), and
    return the status line it reads back ("" if the connection was reset first)."""
    body = b"a=" + b"x" * size
    head = (
        "POST /sign-in HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        try:
            client.sendall(head + body)
            while chunk := client.recv(65536):
                received += chunk
        except OSError:
            pass
    return received.split(b"\r\n", 1)[0]


def test_the_production_log_holds_no_query_string_token_or_name(tmp_path):
    port = free_port()
    env = production_env(f"sqlite:///{tmp_path / 'cpc.db'}", tmp_path, port)
    env.update({"CPC_WORKERS": "1", "CPC_SCHEDULER": "app"})
    cpc(env, "db", "upgrade")
    db_engine = make_engine(env["DATABASE_URL"])
    with make_session_factory(db_engine)() as session:
        make_user(session, "sw", "social_worker")
        make_service_account(session, "robot", "social_worker")
        api_token = make_token(session, "robot")
    db_engine.dispose()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log_file:
        server = gunicorn(env, log_file)
        try:
            wait_until(lambda: answers(port, "/healthz", 200), what="/healthz")
            browser = Browser(port)
            browser.sign_in("sw")
            assert browser.get(f"/inbox?child={NAME.replace(' ', '+')}")[0].status == 200
            bearer = {"Authorization": f"Bearer {api_token}"}
            assert browser.get("/api/v1/tasks?scope=mine", headers=bearer)[0].status == 200
            cookies = [value for value in browser.cookies.values() if value]
            assert cookies  # the session's secret, at least
            assert browser.get(f"/family/{TOKEN}")[0].status in (404, 410)
            assert browser.get(f"/family/{TOKEN}/files/1")[0].status in (404, 410)
            for size in (3 * 2**20, 20 * 2**20):  # over the 2 MB limit: once a reset
                assert post_raw(port, size).startswith(b"HTTP/1.1 413"), size
            time.sleep(3)  # the scheduler runs its every-second jobs meanwhile
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
    text = log_path.read_text()
    for secret in (NAME, NAME.split()[0], TOKEN, "child=", api_token, *cookies):
        assert secret not in text, secret
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert not [e for e in entries if e["logger"].startswith(("apscheduler", "gunicorn.access"))]
    requests = {(e["rule"], e["path"]) for e in entries if e["message"] == "request"}
    assert ("/inbox", "/inbox") in requests
    assert ("/family/<token>", "/family/<token>") in requests
    assert ("/family/<token>/files/<id:file_id>", "/family/<token>/files/1") in requests
    assert len(entries) < 40, [e["message"] for e in entries]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _waiting_for_connections(pid: int) -> bool:
    try:
        channel = Path(f"/proc/{pid}/task/{pid}/wchan").read_text()
    except OSError:
        return False
    return channel.startswith(("poll_schedule_timeout", "do_select"))


def test_a_worker_whose_master_is_killed_stops_with_its_scheduler(tmp_path):
    port = free_port()
    env = production_env(f"sqlite:///{tmp_path / 'cpc.db'}", tmp_path, port)
    env.update({"CPC_WORKERS": "1", "CPC_SCHEDULER": "app", "CPC_WORKER_TIMEOUT": "120"})
    cpc(env, "db", "upgrade")
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log_file:
        server = gunicorn(env, log_file)
        try:
            wait_until(lambda: answers(port, "/healthz", 200), what="/healthz")
            children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
            worker = int(children[0])
            # Kill only once the worker waits in select(): killed while it still finishes the
            # /healthz request, gunicorn's own between-connections check would stop it instead.
            wait_until(lambda: _waiting_for_connections(worker), what="the worker to idle")
            server.kill()  # the master, as the OOM killer would: no word to its workers
            server.wait(timeout=10)
            wait_until(lambda: not _alive(worker), seconds=10, what="the orphan to stop")
        finally:
            if server.poll() is None:
                server.kill()
            for pid in children if "children" in locals() else []:
                if _alive(int(pid)):
                    os.kill(int(pid), signal.SIGKILL)
    assert "is gone: worker" in log_path.read_text()
    assert "scheduler" in log_path.read_text().rsplit("is gone: worker", 1)[1]  # it stopped
