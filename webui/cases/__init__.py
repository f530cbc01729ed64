"""Children and their cases: the list, one child's record, starting a conference."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from . import births, siblings, views  # noqa: E402,F401
