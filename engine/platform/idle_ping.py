"""Ask PostgreSQL whether a pooled connection still works only after it has sat idle.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` every time a connection leaves the pool: one
round trip more on every request, when the connection was in use a few milliseconds earlier.
A connection dies by being left (a server restarted or failed over, an idle timeout, a proxy
or firewall dropping quiet connections), which takes time; so one used within the last
`IDLE_SECONDS` is taken as it is, and one idle longer is pinged and, if dead, replaced before
anyone uses it (the pool's own retry on `DisconnectionError`).

What remains is a server that dies and is back within `IDLE_SECONDS` of a connection's last
use: that request fails as it would have had the server died during it, and SQLAlchemy then
drops every connection of that pool, so the next request starts clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_SECONDS = 1.0
_LAST_USED = "cpc.last_used"


def _seconds() -> float:
    return clock()


clock: Callable[[], float] = time.monotonic  # a test moves this instead of waiting


def install(engine: Engine) -> None:
    """Ping `engine`'s connections that come out of the pool after `IDLE_SECONDS` idle."""
    pool = engine.pool
    dialect = engine.dialect

    @event.listens_for(pool, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        if record is not None:
            record.info[_LAST_USED] = _seconds()

    @event.listens_for(pool, "checkout")
    def _taken(dbapi_connection, record, _proxy) -> None:
        last = record.info.get(_LAST_USED)  # none yet: opened just now (`info` goes with it)
        if last is None or _seconds() - last < IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:  # noqa: BLE001 - whatever the driver raises for a dead link
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise DisconnectionError(f"pooled connection lost while idle: {exc}") from exc
            raise
        if not alive:
            raise DisconnectionError("pooled connection lost while idle")
