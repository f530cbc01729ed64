"""The request's session: what a view did not commit is never saved, however it ended."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from engine.access import accounts
from engine.models import User
from tests.engine.platform.test_db import endings
from webui import extensions


def test_a_request_that_only_read_ends_its_transaction_with_a_commit(app):
    @app.get("/_test/read")
    def read():
        return {"users": len(extensions.db().scalars(select(User)).all())}

    seen = endings(app.extensions["cpc"].db_engine)
    response = app.test_client().get("/_test/read")
    assert response.status_code == 200
    assert seen == ["commit"]


def test_a_view_that_wrote_then_refused_saves_nothing(app, db):
    @app.get("/_test/half-done")
    def half_done():
        session = extensions.db()
        accounts.create_user(session, "half", "Half", "half@example.invalid", ["social_worker"])
        session.flush()
        abort(409)

    seen = endings(app.extensions["cpc"].db_engine)
    response = app.test_client().get("/_test/half-done")
    assert response.status_code == 409
    assert seen == ["rollback"]
    assert db.scalars(select(User).where(User.username == "half")).first() is None
