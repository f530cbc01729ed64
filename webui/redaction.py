"""Second line of defence for withheld information: scrub it from every response body.

Pages, API and downloads already build on read models that blank what is withheld from the
viewer (engine/access/withholding.py). Should a new page forget, the withheld text itself is
replaced in any text response before it leaves the server.
"""

from __future__ import annotations

import json

from flask import Flask, g
from markupsafe import escape

from engine.access import withholding

from .extensions import db

TEXT_TYPES = ("text/html", "application/json", "text/csv", "text/plain")
MARK = "[withheld]"


def _scrub(response):
    user = g.get("user")
    if user is None or response.direct_passthrough or not response.mimetype:
        return response
    if not response.mimetype.startswith(TEXT_TYPES):
        return response
    values = _values_hidden_from(user)
    if not values:
        return response
    body = response.get_data(as_text=True)
    for value in values:
        for form in {value, str(escape(value)), json.dumps(value)[1:-1]}:
            body = body.replace(form, MARK)
    response.set_data(body)
    return response


def _values_hidden_from(user) -> list[str]:
    """What to scrub for this person, read now: after the request's writes have committed,
    in the request's session, never inside the engine's write transaction."""
    return withholding.values_hidden_from(db(), user)


def init_app(app: Flask) -> None:
    app.after_request(_scrub)
