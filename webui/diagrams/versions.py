"""Versions of a process: who deployed each and why, where cases are, download, diff."""

from __future__ import annotations

from flask import Response, flash, g, redirect, render_template, request, url_for

from engine.diagrams import diagram_diff, diagram_editing, form_versions
from engine.models.base import fetch
from engine.models.diagrams import instance_counts
from engine.models.processes import ProcessVersion, versions_of
from engine.platform.errors import EngineError, InvalidDiagram, NotFound

from ..auth.guard import login_required
from ..converters import record_id
from ..extensions import db, workflow
from . import bp

NO_VERSION = "There is no diagram version “{}”."


def forms_source() -> form_versions.FormSource:
    """The forms an editor's check and deploy see: each draft, else the version in use."""
    return form_versions.FormSource(db(), drafts=True)


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
        headers={
            "Content-Disposition": f'attachment; filename="{process_id}-v{version.number}.bpmn"'
        },
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


@bp.route("/diagrams/<process_id>/versions/<id:version_id>/roll-back", methods=["GET", "POST"])
@login_required
def roll_back(process_id, version_id):
    """Go back to an earlier version: deployed again as the newest, with the reason."""
    earlier = _version(process_id, version_id)
    problems, reason = [], request.form.get("reason", "")
    if request.method == "POST":
        try:
            version, new = diagram_editing.roll_back(
                db(), g.user, process_id, version_id, reason, forms_source(), workflow().clock.now()
            )
        except InvalidDiagram as exc:
            problems = [str(p) for p in exc.problems]
        except EngineError as exc:
            problems = [str(exc)]
        else:
            if not new:
                flash(f"Nothing changed: version {version.number} is already in use.", "success")
                return redirect(url_for("diagrams.versions", process_id=process_id))
            flash(
                f"Version {version.number} deployed, the same as version {earlier.number}. "
                "New cases start on it; move running cases below if they should follow it too.",
                "success",
            )
            return redirect(url_for("diagrams.migrate", process_id=process_id, to=version.id))
    return render_template(
        "diagrams/roll_back.html",
        title=f"Go back to version {earlier.number} of {earlier.name}",
        process_id=process_id,
        earlier=earlier,
        reason=reason,
        problems=problems,
        error=bool(problems),
    ), (422 if problems else 200)
