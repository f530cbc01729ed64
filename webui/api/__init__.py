"""JSON API: the same services as the pages, for integrations and the benchmark."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import views  # noqa: E402,F401
