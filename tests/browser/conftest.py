"""Browser tests: the real app on a loopback port, driven by Playwright in Debian's Chromium.

The server shares the test database and the fixed clock with the test, so a test can set up
data with the factories and then walk through the pages as a person would.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from webui import create_app

CHROMIUM = Path(os.environ.get("CPC_CHROMIUM", "/usr/bin/chromium"))


def buffered(app):
    """Each response read whole (its file closed) before the development server writes it.

    When the browser drops a connection mid-response (a page left while its favicon is still
    streaming), Werkzeug's server leaves the open static file to the garbage collector, and
    its ResourceWarning fails whichever test is running then. Gunicorn is not affected.
    """

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@pytest.fixture
def live_server(db_url, sessions, clock):
    """Serve a test app on a free loopback port; yields its base URL."""
    app = create_app({"DATABASE_URL": db_url, "CLOCK": clock})
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()
    app.extensions["cpc"].db_engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the run. Missing browser is a failure, not a skip."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (no cookies) whose relative URLs resolve on the live server."""
    context = chromium.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def browser_sign_in(page, username: str, password: str | None = None) -> None:
    from tests.factories import PASSWORD

    page.goto("/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
