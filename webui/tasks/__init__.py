"""A task page: the task's form, rendered from `forms/`, validated, and completed."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from . import views  # noqa: E402,F401
