"""The scheduler as managers see it: processes alive, timers due and failed, email, retry."""

from flask import Blueprint

bp = Blueprint("scheduler", __name__)

from . import views  # noqa: E402,F401
