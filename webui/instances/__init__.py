"""Process instances for managers: the list, one instance's tasks and history, and controls."""

from flask import Blueprint

bp = Blueprint("instances", __name__)

from . import views  # noqa: E402,F401
