"""Session events listened once per kind of session, when a module first needs them.

A module that keeps something in a session (`session_memo`'s answers, `pending_rows`'
rows) needs that session's flushes, commits and rollbacks. It listens on the session's class
(a factory's sessions are of a class of its own, as `event.listen(factory, ...)` would), not
on each session a request makes; a plain `Session` alone, on itself. Whoever made the
session, the events are there before the first thing is kept in it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from sqlalchemy.orm import Session


class Listeners:
    """One module's listeners: `on(target)` registers them on a session or its class."""

    def __init__(self, name: str, on: Callable[[object], None]):
        self.on, self.mark = on, f"cpc.listening.{name}"
        self.classes: weakref.WeakSet[type] = weakref.WeakSet()


_LOCK = threading.Lock()


def listen(session: Session, listeners: Listeners) -> None:
    """Make sure `listeners` hear this session's events."""
    kind = type(session)
    if kind is Session:
        if not session.info.get(listeners.mark):
            session.info[listeners.mark] = True
            listeners.on(session)
        return
    if kind in listeners.classes:
        return
    with _LOCK:
        if kind not in listeners.classes:
            listeners.classes.add(kind)
            listeners.on(kind)
