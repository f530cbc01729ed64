"""The app as a council runs it: gunicorn, two workers each with the scheduler, PostgreSQL,
production settings, behind a (pretend) TLS proxy; driven over HTTP, then stopped with SIGTERM.

It uses a throwaway PostgreSQL database of its own even when the suite runs on SQLite:
production means PostgreSQL, and CI always has one.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest
from bs4 import BeautifulSoup
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from engine.models import make_session_factory
from engine.models.instances import RUNNING, open_tasks
from engine.models.scheduler import SchedulerProcess
from engine.platform.clock import SYSTEM
from engine.platform.db import make_engine
from tests.factories import PASSWORD, ROOT, make_user

BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get(
    "CPC_TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
METRICS_TOKEN = "metrics-token-for-the-test"
CHILD = ("Oriel", "Fennimore-Vasquez")


def _database_name(db_url: str) -> str:
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        return f"{url.database}_gunicorn"
    return f"{os.environ.get('CPC_TEST_PG_PREFIX', 'cpc_test')}_gunicorn_{os.getpid()}"


@pytest.fixture
def pg_url(db_url):
    """A new, empty PostgreSQL database, dropped afterwards."""
    name = _database_name(db_url)
    admin = make_url(ADMIN_URL)
    if make_url(db_url).get_backend_name() == "postgresql":
        admin = make_url(db_url).set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(pg_url: str, tmp_path: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CPC_", "PROMETHEUS_"))}
    return {
        **env,
        "CPC_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "DATABASE_URL": pg_url,
        "CPC_BASE_URL": "https://cpc.test.invalid",
        "CPC_MAIL_BACKEND": "folder",
        "CPC_MAIL_FOLDER": str(tmp_path / "mail"),
        "MAIL_DEFAULT_SENDER": "cpc@test.invalid",
        "CPC_BIND": f"127.0.0.1:{port}",
        "CPC_WORKERS": "2",
        "CPC_PROXY_HOPS": "1",
        "CPC_METRICS_TOKEN": METRICS_TOKEN,
        "CPC_LOG_LEVEL": "INFO",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "CPC_DATA_DIR": str(tmp_path),
    }


class Browser:
    """Plain HTTP as the TLS proxy would forward it: cookies kept by hand (they are Secure)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response, text

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def submit(self, path: str, form: dict, token_from: str | None = None):
        """Post a form with the CSRF token of the page it is on; expect a redirect."""
        _response, html = self.get(token_from or path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        response, text = self.request("POST", path, {"csrf_token": token, **form})
        assert response.status == 302, (path, response.status, text[:800])
        return response.headers["Location"]

    def sign_in(self, username: str) -> None:
        self.cookies.clear()
        self.submit("/sign-in", {"username": username, "password": PASSWORD})

    def first_task(self) -> str:
        _response, html = self.get("/inbox")
        link = BeautifulSoup(html, "html.parser").select_one("#inbox tbody tr a")
        return link["href"]


def gunicorn(env: dict, log_file) -> subprocess.Popen:
    """The app under gunicorn with the production config file, its output in `log_file`."""
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:webui.gunicorn_conf", "webui:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )


def wait_until(check, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what}")


def answers(port: int, path: str, status: int) -> bool:
    try:
        response, _ = Browser(port).get(path)
    except OSError:
        return False
    return response.status == status


def cpc(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "cpc"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def day(prefix: str, when: date) -> dict:
    return {f"{prefix}-day": when.day, f"{prefix}-month": when.month, f"{prefix}-year": when.year}


def test_two_workers_with_the_scheduler_serve_a_case_and_stop_cleanly(pg_url, tmp_path):
    port = free_port()
    env = production_env(pg_url, tmp_path, port)
    assert "migrated from schema none" in cpc(env, "db", "upgrade")
    assert "icpc: deployed as version" in cpc(env, "deploy", "processes")
    db_engine = make_engine(pg_url)
    sessions = make_session_factory(db_engine)
    with sessions() as session:
        make_user(session, "sw", "social_worker")
        make_user(session, "bs", "business_support", team=None)
        make_user(session, "chair", "conference_chair", team=None)
    log_file = (tmp_path / "gunicorn.log").open("w")
    server = gunicorn(env, log_file)
    try:
        wait_until(lambda: answers(port, "/healthz", 200), what="/healthz")
        wait_until(lambda: answers(port, "/readyz", 200), what="/readyz")
        drive_first_steps(port, sessions)
        with sessions() as session:
            schedulers = session.query(SchedulerProcess).all()
        assert len({p.pid for p in schedulers}) == 2 and {p.mode for p in schedulers} == {"app"}
        check_metrics(port)
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=60)
        log_file.close()
        db_engine.dispose()
    output = (tmp_path / "gunicorn.log").read_text()
    assert code == 0, output[-3000:]
    records = [json.loads(line) for line in output.splitlines()]
    assert {r["logger"] for r in records} >= {"gunicorn.error", "cpc.request"}
    # gunicorn logs, and otherwise swallows, an error in a hook such as `post_request`.
    assert [r["message"] for r in records if r["level"] in ("ERROR", "CRITICAL")] == []
    assert not any(CHILD[1] in line for line in output.splitlines())
    assert sum("scheduler" in r["message"] and "stopped" in r["message"] for r in records) == 2


def drive_first_steps(port: int, sessions) -> None:
    today = SYSTEM.today()  # the service's calendar day, in London
    social_worker = Browser(port)
    social_worker.sign_in("sw")
    child_page = social_worker.submit(
        "/children/new",
        {
            "given_name": CHILD[0],
            "family_name": CHILD[1],
            "social_worker": "sw",
            **day("date_of_birth", date(2018, 5, 4)),
        },
    )
    child_path = child_page.removeprefix("https://cpc.test.invalid")
    social_worker.submit(f"{child_path}/start", {}, token_from=child_path)
    task = social_worker.first_task()
    social_worker.submit(
        task,
        {
            **day("strategy_discussion_date", today),
            **day("s47_start_date", today),
            "outcome": "icpc",
        },
    )
    business_support = Browser(port)
    business_support.sign_in("bs")
    task = business_support.first_task()
    response, html = business_support.get(task)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    chair = BeautifulSoup(html, "html.parser").select_one("select[name=chair] option[value=chair]")
    assert chair is not None, html[:2000]
    business_support.submit(
        task,
        {
            **day("conference_date", today + timedelta(days=10)),
            "conference_time": "10:00",
            "venue": "Room 4, Civic Centre",
            "chair": "chair",
        },
    )
    with sessions() as session:
        from engine.models import ProcessInstance

        [instance] = session.query(ProcessInstance).all()
        assert instance.status == RUNNING
        done = {"record_strategy_discussion", "book_conference"}
        assert done.isdisjoint(t.task_spec for t in open_tasks(session, instance.id))


def check_metrics(port: int) -> None:
    scraper = Browser(port)
    response, _ = scraper.get("/metrics")
    assert response.status == 401
    response, text = scraper.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status == 200
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    # Both completions are counted, whichever worker served them.
    assert samples[("cpc_task_completions_total", (("process", "icpc"),))] == 2
    assert samples[("cpc_instances", (("process", "icpc"), ("status", "running")))] == 1
    assert samples[("cpc_scheduler_processes_live", ())] == 2


def test_gunicorn_refuses_to_start_on_wrong_settings(tmp_path):
    env = production_env("postgresql+psycopg://x@127.0.0.1:1/x", tmp_path, free_port())
    env.pop("SECRET_KEY")
    env["MAIL_PORT"] = "smtp"
    done = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "python:webui.gunicorn_conf", "webui:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "The settings are not right:\n  - MAIL_PORT must be a whole number" in done.stderr
    assert "  - SECRET_KEY must be set in production" in done.stderr
    assert "Booting worker" not in done.stderr


def test_after_each_response_a_worker_takes_apart_the_workflows_its_request_dropped(
    monkeypatch, tmp_path
):
    import importlib
    from types import SimpleNamespace

    from engine.workflow.workflow_cache import WorkflowCache
    from tests.engine.workflow.test_serialization import nested_workflow

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # made by the conf if unset
    conf = importlib.import_module("webui.gunicorn_conf")
    cache, workflow = WorkflowCache(), nested_workflow()
    cache.put(1, 3, workflow)
    cache.take(1, 4)  # the other worker moved the case on
    assert workflow.task_tree is not None  # the request that dropped it did not wait
    conf.post_request(SimpleNamespace(cpc_workflow_cache=cache), None, None, None)
    assert workflow.__dict__ == {}  # taken apart: its reference counts free it
