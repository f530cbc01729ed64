"""Feedback after a conference: the professionals' form and the managers' summary."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from . import views  # noqa: E402,F401
