"""The audit trail, searched by an administrator: who saw or changed what, and when."""

from flask import Blueprint

from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("audit", __name__)
restrict(bp, permissions.can_read_audit, "Only administrators can search the audit trail.")

from . import views  # noqa: E402,F401
