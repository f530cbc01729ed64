"""Liveness, readiness and metrics for load balancers and monitoring: no sign-in."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from . import views  # noqa: E402,F401
