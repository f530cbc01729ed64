"""The pages a parent or child reaches through a single-use secure link, without an account."""

from flask import Blueprint

bp = Blueprint("family", __name__)

from . import views  # noqa: E402,F401
