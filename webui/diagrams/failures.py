"""What a version's diagram caused: its failed steps and timers, drawn on it, and retry."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for

from engine.operations import diagram_failures
from engine.platform.errors import EngineError

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp
from .versions import _version


@bp.route("/diagrams/<process_id>/versions/<id:version_id>/failures")
@login_required
def failures(process_id, version_id):
    version = _version(process_id, version_id)
    found = diagram_failures.for_version(db(), version)
    return render_template(
        "diagrams/failures.html",
        title=f"Failed steps and timers: {version.name}, version {version.id}",
        process_id=process_id,
        version=version,
        found=found,
    )


@bp.route("/diagrams/<process_id>/versions/<id:version_id>/failures.json")
@login_required
def failure_counts(process_id, version_id):
    """Cases per element, for the counts drawn on the diagram."""
    version = _version(process_id, version_id)
    return jsonify({"elements": diagram_failures.for_version(db(), version).counts})


@bp.route("/diagrams/<process_id>/versions/<id:version_id>/failures/retry", methods=["POST"])
@login_required
def retry_failures(process_id, version_id):
    _version(process_id, version_id)
    element = request.form.get("element", "").strip()
    try:
        cases = diagram_failures.retry_timers(
            db(), g.user, version_id, element, workflow().clock.now()
        )
    except EngineError as exc:
        flash(str(exc), "error")
    else:
        references = ", ".join(c.reference for c in cases)
        flash(f"The timers of {references} will be tried again within a minute.", "success")
    return redirect(url_for("diagrams.failures", process_id=process_id, version_id=version_id))
