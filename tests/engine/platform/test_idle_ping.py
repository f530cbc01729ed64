"""Pooled PostgreSQL connections are pinged only after sitting idle, and replaced if dead."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.platform import idle_ping
from engine.platform.db import make_engine


@pytest.fixture
def one_connection(db_engine, monkeypatch):
    if db_engine.dialect.name != "postgresql":
        pytest.skip("SQLite files have no connection to lose")
    now = [1000.0]
    monkeypatch.setattr(idle_ping, "clock", lambda: now[0])
    engine = make_engine(
        db_engine.url.render_as_string(hide_password=False), pool_size=1, max_overflow=0
    )
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    yield engine, now, pings
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text("SELECT pg_backend_pid()"))


def _kill(db_engine, pid: int) -> None:
    with db_engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_connection_used_a_moment_ago_is_not_pinged(one_connection):
    engine, now, pings = one_connection
    first = _backend(engine)
    now[0] += idle_ping.IDLE_SECONDS / 2
    assert _backend(engine) == first
    assert pings == []


def test_an_idle_connection_that_died_is_replaced_before_use(one_connection, db_engine):
    engine, now, pings = one_connection
    first = _backend(engine)
    _kill(db_engine, first)
    now[0] += idle_ping.IDLE_SECONDS + 0.1
    assert _backend(engine) != first  # the request never saw the dead one
    assert pings == [1]


def test_a_server_lost_within_the_idle_time_fails_one_request_only(one_connection, db_engine):
    engine, now, pings = one_connection
    first = _backend(engine)
    _kill(db_engine, first)
    with pytest.raises(OperationalError):
        _backend(engine)
    assert _backend(engine) != first  # the pool dropped it: the next request starts clean
    assert pings == []
