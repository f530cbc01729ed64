"""Error pages and handlers, registered in one place: engine errors become clear messages."""

from __future__ import annotations

import time

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream

from engine.platform import errors as engine_errors

from .logs import safe_path

STATUS = {
    engine_errors.NotFound: 404,
    engine_errors.NotAllowed: 403,
    engine_errors.TaskAlreadyCompleted: 409,
    engine_errors.ConcurrentUpdate: 409,
    engine_errors.InstanceNotActive: 409,
    engine_errors.InvalidDiagram: 422,
    engine_errors.StepFailed: 422,
    engine_errors.EngineError: 400,
}
TITLES = {
    400: "There is a problem",
    401: "Sign in to continue",
    403: "You cannot do that",
    404: "Page not found",
    405: "That action is not available here",
    409: "This has already been done",
    413: "The file is too large",
    415: "Send JSON",
    422: "This could not be done",
    500: "Sorry, there is a problem with the service",
}


JSON_BLUEPRINTS = frozenset({"api", "health"})
DRAIN_BYTES = 32 * 1024 * 1024  # what a 413 reads of a refused body, at most
DRAIN_SECONDS = 20  # and for how long, within gunicorn's worker timeout


def status_for(exc: engine_errors.EngineError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def _wants_json() -> bool:
    return request.blueprint in JSON_BLUEPRINTS or request.path.startswith("/api/")


def respond(status: int, message: str):
    title = TITLES.get(status, "There is a problem")
    if _wants_json():
        return {"error": message, "status": status}, status
    return render_template("errors/error.html", title=title, message=message), status


def _unread_body():
    """The stream of whatever of the request's body has not been read, or None."""
    environ = request.environ
    if request.content_length is None:  # chunked: the server ends the stream with the body
        return environ.get("wsgi.input") if environ.get("wsgi.input_terminated") else None
    try:
        return request.stream  # read in part (a form over its limits): the rest, to its length
    except RequestEntityTooLarge:  # refused on its length alone: none of it was read
        return LimitedStream(environ["wsgi.input"], request.content_length)


def drain_refused_body() -> None:
    """Read and drop what is left of a body refused as too large, within DRAIN_BYTES and
    DRAIN_SECONDS, so that the client reads the 413.

    Most clients send the whole body before reading the answer. The server closes the
    connection after the 413 with megabytes still unread, the kernel answers the client's
    next packets with a reset, and the client reports a broken connection, never the 413
    that says why. Read to its end, the body is gone and the answer arrives. A body larger
    than the bound is not read (the proxy in front refuses those first: docs/deploy.md).
    """
    if (request.content_length or 0) > DRAIN_BYTES:
        return
    stream, drained = _unread_body(), 0
    deadline = time.monotonic() + DRAIN_SECONDS
    try:
        while stream is not None and drained < DRAIN_BYTES and time.monotonic() < deadline:
            chunk = stream.read(64 * 1024)
            if not chunk:
                return
            drained += len(chunk)
    except (OSError, ValueError, HTTPException):  # the client gave up, or sent a broken body
        return


def init_app(app: Flask) -> None:
    @app.errorhandler(engine_errors.EngineError)
    def engine_error(exc):
        return respond(status_for(exc), str(exc))

    @app.errorhandler(engine_errors.InvalidValue)
    def invalid_value(exc):
        """As the API's own validation: 422 naming each field; a page says what to change."""
        if _wants_json():
            return {"error": "The data is not valid.", "status": 422, "fields": exc.fields}, 422
        return respond(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 413:
            drain_refused_body()
        message = (
            exc.description
            if exc.code != 404
            else ("If you typed the web address, check it is correct.")
        )
        return respond(exc.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected(exc):
        app.logger.exception("unhandled error on %s", safe_path())
        return respond(500, "Try again later. Nothing you entered has been saved.")
