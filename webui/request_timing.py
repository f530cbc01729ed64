"""One clock per request, read by everything that reports how long a request took.

The request log and the HTTP metrics both want the time taken. Timing it twice, with a
hook each, gave two numbers for one request, and a request refused by an earlier hook (a
failed CSRF check) was logged but never reached the metrics' own start. So the start is
stored once, by the first hook the app runs, and when the response is ready the time is
taken once and handed to each reader with the response.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask, Response, g

Reader = Callable[[Response, float], None]


def init_app(app: Flask, *readers: Reader) -> None:
    """Time every request; `readers` are each called with the response and the seconds.

    Call this before any other step that adds a request hook: its start then runs first
    and its finish last, so the time covers all of them.
    """

    def start() -> None:
        g.request_started = time.perf_counter()

    def finish(response: Response) -> Response:
        started = g.pop("request_started", None)
        if started is not None:
            seconds = time.perf_counter() - started
            for read in readers:
                read(response, seconds)
        return response

    app.before_request(start)
    app.after_request(finish)
