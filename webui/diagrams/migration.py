"""Moving running cases between versions: choose, dry run, move the movable, undo a move."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.diagrams.version_moves import Selection, VersionMoves
from engine.models.diagrams import moves_of
from engine.models.processes import ProcessVersion
from engine.platform.errors import EngineError

from ..auth.guard import login_required
from ..converters import record_id, whole_number
from ..extensions import db, workflow
from . import bp
from .versions import NO_VERSION, deployed_versions

STATUSES = ("running", "suspended")


def _selection(process_id: str, values) -> Selection:
    """The instances chosen on the form: ids, a version, a status, a step, or all."""
    ids = []
    for part in values.get("ids", "").replace(",", " ").split():
        number = whole_number(part.rsplit("-", 1)[-1])
        if number is None:
            raise EngineError(f"“{part}” is not a case reference or instance number.")
        ids.append(number)
    status = values.get("status") if values.get("status") in STATUSES else None
    return Selection(
        process_id,
        tuple(ids),
        from_version_id=record_id(values, "from", NO_VERSION),
        status=status,
        at_step=values.get("step", "").strip() or None,
    )


def _page(process_id, selection, target_id, checks, status=200):
    items = deployed_versions(process_id)
    return (
        render_template(
            "diagrams/migrate.html",
            title=f"Move cases of {items[0].name}",
            process_id=process_id,
            versions=items,
            target_id=target_id,
            selection=selection,
            values=request.values,
            checks=checks,
            movable=[c for c in checks or [] if c.movable],
            moves=moves_of(db(), process_id, limit=50),
        ),
        status,
    )


@bp.route("/diagrams/<process_id>/migrate")
@login_required
def migrate(process_id):
    items = deployed_versions(process_id)
    target_id = record_id(request.args, "to", NO_VERSION) or items[0].id
    if "check" not in request.args:
        return _page(process_id, None, target_id, None)
    try:
        selection = _selection(process_id, request.args)
        checks = VersionMoves(workflow()).dry_run(db(), g.user, selection, target_id)
    except EngineError as exc:
        flash(str(exc), "error")
        return _page(process_id, None, target_id, None, 400)
    return _page(process_id, selection, target_id, checks)


@bp.route("/diagrams/<process_id>/migrate", methods=["POST"])
@login_required
def move(process_id):
    target_id = record_id(request.form, "to", NO_VERSION)
    selection = _selection(process_id, request.form)
    report = VersionMoves(workflow()).migrate(db(), g.user, selection, target_id)
    target = db().get(ProcessVersion, target_id)
    message = f"{len(report.moved)} moved to version {target.number if target else target_id}."
    if report.refused:
        message += f" {len(report.refused)} could not move; the check below says why."
    flash(message, "success")
    args = {k: v for k, v in request.form.items() if k not in ("csrf_token",)}
    return redirect(url_for("diagrams.migrate", process_id=process_id, check=1, **args))


@bp.route("/diagrams/<process_id>/moves/<id:move_id>/undo", methods=["POST"])
@login_required
def undo(process_id, move_id):
    move = VersionMoves(workflow()).revert(db(), g.user, move_id)
    flash(
        f"{move.instance.reference} is back on version {move.from_version.number}, as it was.",
        "success",
    )
    return redirect(url_for("diagrams.migrate", process_id=process_id))
