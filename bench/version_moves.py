"""How long checking and moving running instances to a new diagram version takes.

Prints one JSON line: `version_moves` with the number of instances, the dry run and the move
in milliseconds per instance (each move is its own transaction, on a file SQLite database).

Usage: python bench/version_moves.py [--instances 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.support import settings  # noqa: E402

settings.apply_defaults(os.environ)

from engine.access import accounts  # noqa: E402
from engine.diagrams import diagram_editing, registry  # noqa: E402
from engine.diagrams.version_moves import Selection, VersionMoves  # noqa: E402
from engine.models import make_session_factory  # noqa: E402
from engine.platform import schema  # noqa: E402
from engine.platform.db import make_engine, transaction  # noqa: E402
from engine.service import Engine  # noqa: E402

DIAGRAM = (ROOT / "tests" / "engine" / "diagrams" / "two_steps.bpmn").read_text()
LATER = DIAGRAM.replace("deadline(due_date)", "deadline(add_working_days(due_date, 1))")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=200)
    count = parser.parse_args().instances
    with tempfile.TemporaryDirectory() as folder:
        db_engine = make_engine(f"sqlite:///{folder}/bench.sqlite3")
        schema.upgrade(db_engine)
        session = make_session_factory(db_engine)()
        users = {}
        with transaction(session):
            for name, role in (("sw", "social_worker"), ("owner", "process_owner")):
                users[name] = accounts.create_user(
                    session, name, name, f"{name}@x.invalid", [role], "pw-bench-only"
                )
        with transaction(session):
            registry.deploy(session, registry.parse(DIAGRAM, "two_steps.bpmn"), "bench")
        engine = Engine()
        for _ in range(count):
            engine.start(session, "two_steps", users["sw"], {"social_worker": "sw"})
        version, _ = diagram_editing.deploy(
            session,
            users["owner"],
            "two_steps",
            LATER,
            "bench",
            lambda key: True,
            engine.clock.now(),
        )
        moves = VersionMoves(engine)
        selection = Selection("two_steps")
        started = time.perf_counter()
        checks = moves.dry_run(session, users["owner"], selection, version.id)
        dry_run = time.perf_counter() - started
        started = time.perf_counter()
        report = moves.migrate(session, users["owner"], selection, version.id)
        moved = time.perf_counter() - started
        session.close()
        db_engine.dispose()
    print(
        json.dumps(
            {
                "version_moves": {
                    "instances": len(checks),
                    "moved": len(report.moved),
                    "dry_run_ms_per_instance": round(dry_run * 1000 / count, 2),
                    "move_ms_per_instance": round(moved * 1000 / count, 2),
                }
            }
        )
    )


if __name__ == "__main__":
    main()
