"""Records due for retention review, for administrators."""

from flask import Blueprint

from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("retention", __name__)
restrict(bp, permissions.can_read_audit, "Only administrators review records for retention.")

from . import views  # noqa: E402,F401
