"""New processes (blank, a copy, a file), how a process starts, and retiring it."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.diagrams import new_processes
from engine.models import catalogue
from engine.models.processes import latest_versions
from engine.platform.errors import EngineError, InvalidDiagram
from forms import exists as form_exists

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp
from .views import _latest

MODES = (("child_page", "For a child, from the child's page"), ("diagrams", "From another diagram"))


def _modes() -> new_processes.StartModes:
    chosen = request.form.getlist("starts")
    return new_processes.StartModes("child_page" in chosen, "diagrams" in chosen)


@bp.route("/diagrams/new", methods=["GET", "POST"])
@login_required
def new_process():
    """Make a process: it is checked and deployed as version 1, then edited like any other."""
    problems: list[str] = []
    if request.method == "POST":
        file = request.files.get("file")
        try:
            version = new_processes.create(
                db(),
                g.user,
                request.form.get("process_id", ""),
                request.form.get("name", ""),
                _modes(),
                form_exists,
                workflow().clock.now(),
                how=request.form.get("how", ""),
                copy_of=request.form.get("copy_of") or None,
                file=file.read() if file else None,
                filename=(file.filename or "") if file else "",
            )
        except InvalidDiagram as exc:
            problems = [str(p) for p in exc.problems]
        except EngineError as exc:
            problems = [str(exc)]
        else:
            flash(
                f"{version.name} is deployed as version 1. Add its steps here, then deploy.",
                "success",
            )
            return redirect(url_for("diagrams.edit", process_id=version.process_id))
    return render_template(
        "diagrams/new.html",
        title="Make a new process",
        processes=latest_versions(db()),
        modes=MODES,
        form=request.form,
        problems=problems,
        error=bool(problems),
    ), (422 if problems else 200)


@bp.route("/diagrams/<process_id>/starts", methods=["GET", "POST"])
@login_required
def starts(process_id):
    """How the process starts, and retiring it (no new starts; running cases go on)."""
    latest = _latest(process_id)
    problems: list[str] = []
    if request.method == "POST":
        action, now = request.form.get("action"), workflow().clock.now()
        try:
            if action == "retire":
                new_processes.retire(db(), g.user, process_id, request.form.get("reason"), now)
                message = f"{latest.name} is retired. Running cases carry on to their end."
            elif action == "bring_back":
                new_processes.bring_back(db(), g.user, process_id, now)
                message = f"{latest.name} can start new cases again."
            else:
                new_processes.change_modes(db(), g.user, process_id, _modes(), now)
                message = "How the process starts is saved."
        except EngineError as exc:
            problems = [str(exc)]
        else:
            flash(message, "success")
            return redirect(url_for("diagrams.starts", process_id=process_id))
    return render_template(
        "diagrams/starts.html",
        title=f"How {latest.name} starts",
        process_id=process_id,
        latest=latest,
        entry=catalogue.entry(db(), process_id),
        modes=MODES,
        reason=request.form.get("reason", ""),
        problems=problems,
        error=bool(problems),
    ), (422 if problems else 200)
