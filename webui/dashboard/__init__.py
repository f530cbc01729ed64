"""Managers' figures: timeliness, plans, overdue steps by team; the CIN census extract."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from . import views  # noqa: E402,F401
