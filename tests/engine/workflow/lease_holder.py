"""A timer worker that stops where a test wants to kill it (`kill -9`).

    python -m tests.engine.workflow.lease_holder DATABASE_URL OWNER LEASE_SECONDS MODE

MODE `claim`: claim every due instance, report, then wait holding the lease.
MODE `commit`: sweep for real, but stop inside the firing transaction just after its writes
were flushed (database locks held, nothing committed), report, and wait.
It uses the real clock, like a production worker; it reports one JSON line on stdout.
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import text

from engine.models import make_session_factory
from engine.platform.clock import SYSTEM
from engine.platform.db import make_engine
from engine.service import Engine
from engine.workflow import timers
from engine.workflow.stepping import Stepper


def report(**facts) -> None:
    print(json.dumps(facts), flush=True)


def main(url: str, owner: str, lease_seconds: int, mode: str) -> None:
    sessions = make_session_factory(make_engine(url))
    if mode == "claim":
        with sessions() as session:
            report(claimed=timers.claim(session, owner, SYSTEM.now(), lease_seconds, 100))
        sys.stdin.read()  # hold the lease until killed
        return
    original = Stepper.after_step

    def stop_before_commit(steps, session, context):
        original(steps, session, context)  # state, rows and lease flushed, not committed
        backend = None
        if session.get_bind().dialect.name == "postgresql":
            backend = session.execute(text("SELECT pg_backend_pid()")).scalar()
        report(firing=context.instance.id, backend_pid=backend)
        sys.stdin.read()  # die here, inside the transaction

    Stepper.after_step = stop_before_commit
    timers.sweep(sessions, Engine(), owner, lease_seconds=lease_seconds)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
