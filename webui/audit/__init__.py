"""The audit trail, searched by an administrator: who saw or changed what, and when."""

from flask import Blueprint

bp = Blueprint("audit", __name__)

from . import views  # noqa: E402,F401
