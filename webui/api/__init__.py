"""The JSON API under /api/v1: the same engine services and access rules as the pages.

Every operation is listed, with who may call it (`x-access`), in `openapi.py`, served at
/api/v1/openapi.json; a test keeps the routes and the document in step.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import children, instances, meta, requests, tasks  # noqa: E402,F401
