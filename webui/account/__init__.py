"""Your account: who you are in the service, and how you hear about your tasks."""

from flask import Blueprint

bp = Blueprint("account", __name__)

from . import views  # noqa: E402,F401
