"""URL converters shared by every blueprint.

`<id:...>` is a record id: a positive integer a database integer column can hold. Anything
larger is simply a page that does not exist (404), never an overflow inside a query.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class RecordId(IntegerConverter):
    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordId
