"""Second line of defence for withheld information: scrub it from every response body.

Pages, API and downloads already build on read models that blank what is withheld from the
viewer (engine/access/withholding.py). Should a new page forget, the withheld text itself is
replaced in any text response before it leaves the server.
"""

from __future__ import annotations

import json

from flask import Flask, g, has_request_context
from markupsafe import escape
from sqlalchemy import event

from engine.access import withholding
from engine.platform.db import wrote

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
    """What to scrub for this person: as read just before the request's last commit, if
    nothing was written since, else read now."""
    session = db()
    read = session.info.get(READ_AT_COMMIT)
    if read is not None and read[0] == user.id and not wrote(session):
        return read[1]
    return withholding.values_hidden_from(session, user)


# A request that writes commits inside the engine; reading the withheld text just before that
# commit (after the request's writes, in the same transaction) spares a second transaction
# after it only for this read. It serves only while the session has written nothing since
# (`engine.db.wrote`); a rollback discards it.
READ_AT_COMMIT = "cpc.scrub_read_at_commit"


def _read_before_commit(session) -> None:
    if not has_request_context() or g.get("db") is not session or g.get("user") is None:
        return
    session.flush()  # the commit's own flush: what is read below includes every write
    user = g.user
    session.info[READ_AT_COMMIT] = (user.id, withholding.values_hidden_from(session, user))


def _discard(session, *_args) -> None:
    session.info.pop(READ_AT_COMMIT, None)


def init_app(app: Flask) -> None:
    app.after_request(_scrub)
    sessions = app.extensions["cpc"].sessions
    event.listen(sessions, "before_commit", _read_before_commit)
    event.listen(sessions, "after_soft_rollback", _discard)
