"""The people involved with a child, and the information a chair withholds from some of them."""

from flask import Blueprint

bp = Blueprint("people", __name__)

from . import views  # noqa: E402,F401
