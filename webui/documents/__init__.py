"""A conference's page: its documents (PDF and Word), reports and files, and family links."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from . import corrections, family, rescheduling, views  # noqa: E402,F401
