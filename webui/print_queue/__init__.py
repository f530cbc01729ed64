"""Business support's print queue: letters to post, each printed and marked posted."""

from flask import Blueprint

bp = Blueprint("print_queue", __name__)

from . import views  # noqa: E402,F401
