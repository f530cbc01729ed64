from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine import permissions
from engine.errors import NotAllowed, TaskAlreadyCompleted
from engine.models.base import fetch
from engine.models.instances import DONE, HumanTask
from forms import load, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp
from .formdata import options_resolver, values_from_data


def _task_for(user, task_id: str) -> HumanTask:
    task = fetch(db(), HumanTask, task_id, "There is no such task. It may have been cancelled.")
    if task.state == DONE:
        by = task.completed_by.display_name if task.completed_by else None
        raise TaskAlreadyCompleted(task.title, by, task.completed_at)
    if not permissions.can_complete(user, task):
        raise NotAllowed(f"“{task.title}” is for another person or role.")
    return task


def _render(task, definition, values, errors=None, status=200):
    session = db()
    return render_template(
        "tasks/show.html",
        title=definition.title,
        task=task,
        form=definition,
        values=values,
        errors=errors.messages if errors else {},
        resolve=options_resolver(session),
        today=workflow().clock.today(),
    ), status


@bp.route("/tasks/<task_id>")
@login_required
def show(task_id):
    task = _task_for(g.user, task_id)
    definition = load(task.form_key)
    data = workflow().task_data(db(), task)
    return _render(task, definition, values_from_data(definition, data))


@bp.route("/tasks/<task_id>", methods=["POST"])
@login_required
def submit(task_id):
    task = _task_for(g.user, task_id)
    definition = load(task.form_key)
    session = db()
    data, errors = validate(
        definition, request.form, workflow().clock.today(), options_resolver(session)
    )
    if errors:
        return _render(task, definition, request.form, errors, status=400)
    title = task.title
    workflow().complete_task(session, task_id, g.user, data)
    flash(f"“{title}” is done.", "success")
    return redirect(url_for("inbox.index"))
