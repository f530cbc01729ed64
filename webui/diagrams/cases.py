"""The cases a process runs, per version: for its process owner, with links to failures."""

from __future__ import annotations

from flask import g, render_template, request

from engine.operations import process_instances

from ..auth.guard import login_required
from ..converters import record_id
from ..extensions import db
from . import bp
from .versions import NO_VERSION, _version, deployed_versions

STATUSES = ("running", "suspended", "completed", "terminated")


@bp.route("/diagrams/<process_id>/cases")
@login_required
def cases(process_id):
    versions = deployed_versions(process_id)
    version_id = record_id(request.args, "version", NO_VERSION)
    version = _version(process_id, version_id) if version_id else None
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    rows = process_instances.for_process(
        db(), g.user, process_id, version.id if version else None, status
    )
    return render_template(
        "diagrams/cases.html",
        title=f"Cases of {versions[0].name}",
        process_id=process_id,
        versions=versions,
        version=version,
        status=status,
        statuses=STATUSES,
        rows=rows,
        limit=process_instances.LIMIT,
    )
