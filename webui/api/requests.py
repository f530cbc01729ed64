"""Reading an API request: the JSON body and query parameters, or 422 naming each bad field."""

from __future__ import annotations

from flask import abort, request

from engine.platform import whole_numbers

from ..converters import MAX_ID
from ..request_json import MAX_DEPTH
from . import bp

MAX_LIMIT = 500


class InvalidRequest(Exception):
    """The request is well-formed JSON but its fields are wrong: 422 with a message per field."""

    def __init__(self, fields: dict[str, str], message: str = "The request is not valid."):
        super().__init__(message)
        self.fields, self.message = fields, message


@bp.errorhandler(InvalidRequest)
def invalid_request(exc: InvalidRequest):
    return {"error": exc.message, "status": 422, "fields": exc.fields}, 422


def body() -> dict:
    """The JSON object sent: 415 for another content type, 422 for JSON of another shape."""
    if not request.is_json:
        abort(415, "Send JSON (Content-Type: application/json).")
    sent = request.get_json(silent=True)
    if not isinstance(sent, dict):
        raise InvalidRequest({"body": f"Send a JSON object, nested at most {MAX_DEPTH} deep."})
    return sent


def integer(value, name: str, minimum: int = 1, maximum: int = MAX_ID) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest({name: f"“{name}” must be a whole number."})
    if not minimum <= value <= maximum:
        raise InvalidRequest({name: f"“{name}” must be from {minimum} to {maximum}."})
    return value


def query_int(name: str, default: int | None, minimum: int = 1, maximum: int = MAX_ID):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    number = whole_numbers.parse(raw)
    if number is None:
        raise InvalidRequest({name: f"“{name}” must be a whole number."})
    return integer(number, name, minimum, maximum)


def query_choice(name: str, choices, default: str | None = None) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in choices:
        raise InvalidRequest({name: f"“{name}” must be one of: {', '.join(choices)}."})
    return raw


def query_bool(name: str) -> bool:
    return query_choice(name, ("true", "false"), "false") == "true"


def page() -> tuple[int, int]:
    """`limit` (1–500, default 100) and `offset` of a list."""
    return query_int("limit", 100, 1, MAX_LIMIT), query_int("offset", 0, 0)
