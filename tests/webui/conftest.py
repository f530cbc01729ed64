"""The app under test shares the test database and the fixed clock of the engine fixtures."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from jinja2 import BytecodeCache
from sqlalchemy import event

from webui import create_app


class CompiledTemplates(BytecodeCache):
    """Each template compiled once a run, not once an app: a test makes an app of its own,
    and compiling the pages it renders took about 0.3 s of each web test. Jinja keys each
    entry by the template's name and a checksum of its source, so a changed template is
    compiled again."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


def with_compiled_templates(app):
    app.jinja_env.bytecode_cache = COMPILED
    return app


@pytest.fixture
def make_app(db_url, sessions, clock):
    """Build apps on the test database; their connection pools are closed after the test."""
    apps = []

    def make(**overrides):
        app = create_app({"DATABASE_URL": db_url, "CLOCK": clock, **overrides})
        apps.append(with_compiled_templates(app))
        return app

    yield make
    for made in apps:
        made.extensions["cpc"].db_engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def web_engine(app):
    """The workflow engine the app itself uses (same clock, same caches)."""
    return app.extensions["cpc"].workflow


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf(client, path="/sign-in") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post_form(client, path, data, follow=False, token_from=None):
    token = csrf(client, token_from or path)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=follow)


def sign_in(client, username, password=None):
    from tests.factories import PASSWORD

    response = post_form(
        client, "/sign-in", {"username": username, "password": password or PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def statements_by_transaction(app) -> list[list[str]]:
    """The SQL each of the app's transactions runs from now on, one list per transaction."""
    seen: list[list[str]] = []
    db_engine = app.extensions["cpc"].db_engine
    event.listen(db_engine, "begin", lambda _conn: seen.append([]))
    event.listen(
        db_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, sql, *_rest: seen[-1].append(sql) if seen else None,
    )
    return seen
