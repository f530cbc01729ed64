"""Sign in, sign out, and the signed-in user on every request."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from . import views  # noqa: E402,F401
