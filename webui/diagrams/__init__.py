"""Process owners' diagram pages: edit, validate, deploy, versions, diff and migration."""

from flask import Blueprint

from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("diagrams", __name__)
# Every page here changes or reveals how cases run: process owners only.
restrict(
    bp,
    permissions.can_deploy,
    "Only process owners can edit diagrams and move cases between versions.",
)


from . import failures, migration, versions, views  # noqa: E402,F401
