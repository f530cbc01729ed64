"""Process owners' diagram pages: edit, validate, deploy, versions, diff and migration."""

from flask import Blueprint, request

from engine.diagrams.registry import MAX_DIAGRAM_BYTES
from engine.workflow import permissions

from ..auth.guard import restrict

bp = Blueprint("diagrams", __name__)
# Every page here changes or reveals how cases run: process owners only.
restrict(
    bp,
    permissions.can_deploy,
    "Only process owners can edit diagrams and move cases between versions.",
)

# Check, draft, deploy and upload share the diagram's own limit: a diagram a little over it
# still reaches the check, which says so in words; the form around it gets a margin. Set in
# the earliest per-blueprint hook: the CSRF check (an app-wide before_request) reads the form.
FORM_MARGIN = 64 * 1024


@bp.url_value_preprocessor
def diagram_sized_requests(_endpoint, _values):
    request.max_form_memory_size = MAX_DIAGRAM_BYTES + FORM_MARGIN
    request.max_content_length = MAX_DIAGRAM_BYTES + 2 * FORM_MARGIN


from . import cases, catalogue, failures, form_pages, migration, versions, views  # noqa: E402,F401
