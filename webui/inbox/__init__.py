"""The signed-in user's task inbox."""

from flask import Blueprint

bp = Blueprint("inbox", __name__)

from . import views  # noqa: E402,F401
