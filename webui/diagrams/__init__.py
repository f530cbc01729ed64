"""Process owners' diagram pages: edit, validate, deploy, versions, diff and migration."""

from flask import Blueprint, abort, g

from engine.workflow import permissions

bp = Blueprint("diagrams", __name__)


@bp.before_request
def _process_owners_only():
    """Every page here changes or reveals how cases run: process owners only."""
    user = g.get("user")
    if user is not None and not permissions.can_deploy(user):
        abort(403, "Only process owners can edit diagrams and move cases between versions.")


from . import migration, versions, views  # noqa: E402,F401
