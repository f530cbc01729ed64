"""Records due for retention review, for administrators."""

from flask import Blueprint

bp = Blueprint("retention", __name__)

from . import views  # noqa: E402,F401
