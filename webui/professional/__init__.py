"""The report form an agency professional without an account reaches by a secure link."""

from flask import Blueprint

bp = Blueprint("professional", __name__)

from . import views  # noqa: E402,F401
