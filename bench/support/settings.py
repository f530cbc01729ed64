"""The settings every bench runs the app with: production's, so its start-up checks apply as
in a council, with mail kept in a folder and no scheduler unless the bench starts one."""

from __future__ import annotations

import tempfile


def production(mail_folder: str | None = None) -> dict[str, str]:
    return {
        "CPC_ENV": "production",
        "SECRET_KEY": "bench-only-" + "x" * 32,
        "CPC_BASE_URL": "https://cpc.bench.invalid",
        "CPC_MAIL_BACKEND": "folder",
        "CPC_MAIL_FOLDER": mail_folder or tempfile.mkdtemp(prefix="cpc-bench-mail-"),
        "CPC_LOG_LEVEL": "WARNING",
        "CPC_SCHEDULER": "off",
    }


def apply_defaults(environ) -> None:
    """Set what the caller's environment does not already say (for in-process benches)."""
    for name, value in production().items():
        environ.setdefault(name, value)
