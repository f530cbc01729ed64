"""Numbers in addresses: URL converters shared by every blueprint, and the one parse of a
whole number a query string or form carries.

`<id:...>` is a record id: a positive integer a database integer column can hold. Anything
larger is simply a page that does not exist (404), never an overflow inside a query. The
same bound holds for a number sent as `?page=` or `?version=`: `whole_number` is the only
way a view reads one, so no value reaches a query that the database cannot hold.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from engine.platform import whole_numbers
from engine.platform.errors import NotFound

MAX_ID = 2**31 - 1


class RecordId(IntegerConverter):
    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def whole_number(text: str | None) -> int | None:
    """The number `text` spells in plain digits, if an integer column can hold it; else None.
    Fit for `request.args.get(name, type=whole_number)`."""
    number = whole_numbers.parse(text)
    return number if number is not None and number <= MAX_ID else None


def record_id(values, name: str, missing: str) -> int | None:
    """The record id `values[name]` names: None when it is not sent, and `NotFound` with the
    message `missing` (its `{}` the value, shortened) when no record could have it."""
    text = values.get(name, "")
    if not text:
        return None
    number = whole_number(text)
    if not number:
        raise NotFound(missing.format(text[:20]))
    return number


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordId
