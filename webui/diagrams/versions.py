"""Versions of a process: who deployed each and why, where cases are, download, diff."""

from __future__ import annotations

from flask import Response, render_template, request

from engine.diagrams import diagram_diff
from engine.models.base import fetch
from engine.models.diagrams import instance_counts
from engine.models.processes import ProcessVersion, versions_of
from engine.platform.errors import NotFound

from ..auth.guard import login_required
from ..converters import record_id
from ..extensions import db
from . import bp

NO_VERSION = "There is no diagram version “{}”."


def deployed_versions(process_id: str) -> list[ProcessVersion]:
    """Every version of the process, newest first; not found if it was never deployed."""
    versions = versions_of(db(), process_id)
    if not versions:
        raise NotFound(f"No process “{process_id}” has been deployed.")
    return versions


def _version(process_id: str, version_id: int) -> ProcessVersion:
    version = fetch(db(), ProcessVersion, version_id, f"No diagram version {version_id}.")
    if version.process_id != process_id:
        raise NotFound(f"Version {version_id} is not a version of “{process_id}”.")
    return version


@bp.route("/diagrams/<process_id>/versions")
@login_required
def versions(process_id):
    items = deployed_versions(process_id)
    return render_template(
        "diagrams/versions.html",
        title=f"Versions of {items[0].name}",
        process_id=process_id,
        versions=items,
        counts=instance_counts(db(), process_id),
    )


@bp.route("/diagrams/<process_id>/versions/<id:version_id>.bpmn")
@login_required
def download(process_id, version_id):
    version = _version(process_id, version_id)
    return Response(
        version.bpmn_xml,
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{process_id}-v{version.id}.bpmn"'},
    )


@bp.route("/diagrams/<process_id>/diff")
@login_required
def diff(process_id):
    items = deployed_versions(process_id)
    new_id = record_id(request.args, "to", NO_VERSION) or items[0].id
    default_old = next((v.id for v in items if v.id < new_id), new_id)
    old_id = record_id(request.args, "from", NO_VERSION) or default_old
    old, new = _version(process_id, old_id), _version(process_id, new_id)
    return render_template(
        "diagrams/diff.html",
        title=f"Compare versions of {new.name}",
        process_id=process_id,
        versions=items,
        old=old,
        new=new,
        changes=diagram_diff.compare(old.bpmn_xml, new.bpmn_xml),
    )
