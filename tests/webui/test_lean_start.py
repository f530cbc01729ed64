"""A web worker starts without what only some requests need, so it stays small (issue 28:
at most 100 MiB after the benchmark). Checked in a fresh interpreter, as a worker starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LOADED_LATER = ("weasyprint", "docx", "authlib", "alembic", "requests")
PROGRAM = """
import json, os, sys, tempfile
os.environ.update(CPC_ENV="test", CPC_SCHEDULER="off",
                  DATABASE_URL="sqlite:///" + tempfile.mkdtemp() + "/start.sqlite3")
import webui
webui.create_app()
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_a_worker_starts_without_the_renderers_the_sign_in_client_or_alembic():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert "flask" in loaded and "SpiffWorkflow" in loaded  # it did start the app
    assert not loaded & set(LOADED_LATER)
