"""The administration area, for system administrators only: accounts, teams, service
accounts and their API tokens. Every change is one engine command, audited there
(engine/access/administration.py, engine/access/tokens.py)."""

from flask import Blueprint

from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict(
    bp, permissions.can_administer, "Only system administrators can use the administration area."
)

from . import council, teams, tokens, users  # noqa: E402,F401
