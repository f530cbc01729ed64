"""The accessibility statement the 2018 regulations require, open to everyone without an account."""

from flask import Blueprint

bp = Blueprint("accessibility", __name__)

from . import views  # noqa: E402,F401
