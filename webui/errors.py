"""Error pages and handlers, registered in one place: engine errors become clear messages."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

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
