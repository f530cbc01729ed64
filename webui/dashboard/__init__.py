"""Managers' figures: timeliness, plans, overdue steps by team; the CIN census extract."""

from flask import Blueprint

from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("dashboard", __name__)
restrict(
    bp, permissions.can_view_dashboard, "The dashboard is for team managers and service managers."
)

from . import views, work  # noqa: E402,F401
