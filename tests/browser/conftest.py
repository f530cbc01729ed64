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

from tests.webui.conftest import with_compiled_templates
from webui import create_app

CHROMIUM = Path(os.environ.get("CPC_CHROMIUM", "/usr/bin/chromium"))


class Buffered:
    """Each response read whole (its file closed) before the development server writes it, and
    each connection counted from the moment the server accepts it until its thread is done, so
    the server's end can wait for them all.

    When the browser drops a connection mid-response (a page left while its favicon is still
    streaming), Werkzeug's server leaves the open static file to the garbage collector, and
    its ResourceWarning fails whichever test is running then. Likewise a request still being
    answered when a test ends holds a database connection that the pool's `dispose` cannot
    close. A connection accepted just before the server stopped, whose thread had not yet
    reached the app, was once not counted: its request ran after `dispose`, opened a
    connection in the engine's new pool, and the collector's ResourceWarning for it failed a
    later test. Gunicorn is not affected.
    """

    def __init__(self, app):
        self.app = app
        self.open = 0
        self.idle = threading.Condition()

    def __call__(self, environ, start_response):
        body = None
        try:
            body = self.app(environ, start_response)
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    def serve(self):
        """A threaded development server for the app on a free loopback port, whose
        connections are counted from their accept (in the serving thread) to their end."""
        server = make_server("127.0.0.1", 0, self, threaded=True)
        accept, handle = server.process_request, server.process_request_thread

        def accepted(request, address):
            self._count(+1)
            try:
                accept(request, address)  # starts a thread running `handled`
            except BaseException:
                self._count(-1)
                raise

        def handled(request, address):
            try:
                handle(request, address)
            finally:
                self._count(-1)

        server.process_request, server.process_request_thread = accepted, handled
        return server

    def _count(self, change: int) -> None:
        with self.idle:
            self.open += change
            self.idle.notify_all()

    def wait_until_idle(self, seconds: float) -> bool:
        """Wait (at most `seconds`) for every connection accepted to be done."""
        with self.idle:
            return self.idle.wait_for(lambda: self.open == 0, timeout=seconds)


@pytest.fixture
def live_server(db_url, sessions, clock):
    """Serve a test app on a free loopback port; yields its base URL."""
    app = with_compiled_templates(create_app({"DATABASE_URL": db_url, "CLOCK": clock}))
    wsgi = Buffered(app)
    server = wsgi.serve()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()
    # A request the browser sent as the test ended (a page's background fetch) is answered
    # on its own thread; its connection goes back to the pool when it is, then is closed.
    assert wsgi.wait_until_idle(30), "a connection was still open 30 s after the test"
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
