"""The services a request uses: a database session (one per request) and the workflow engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine as DbEngine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.diagrams.form_versions import PinnedForms
from engine.models import council_settings, make_session_factory
from engine.platform.db import finish, make_engine
from engine.service import Engine


@dataclass
class Services:
    db_engine: DbEngine
    sessions: sessionmaker
    workflow: Engine
    # The form each diagram version pins, read once per app: pins never change.
    pinned_forms: PinnedForms = field(default_factory=PinnedForms)


def init_app(app: Flask) -> None:
    db_engine = make_engine(app.config.get("DATABASE_URL"))
    app.extensions["cpc"] = Services(
        db_engine=db_engine,
        sessions=make_session_factory(db_engine),
        workflow=Engine(clock=app.config.get("CLOCK")),
    )
    app.teardown_appcontext(_close_session)


def services() -> Services:
    return current_app.extensions["cpc"]


def db() -> Session:
    if "db" not in g:
        g.db = services().sessions()
        # Another worker may have saved newer council settings: every request uses the newest.
        try:
            council_settings.refresh(g.db)
        except OperationalError:  # unreachable: /healthz still answers, /readyz turns red
            g.db.rollback()
    return g.db


def workflow() -> Engine:
    return services().workflow


def _close_session(exc=None) -> None:
    session = g.pop("db", None)
    if session is not None:
        finish(session, failed=exc is not None)
