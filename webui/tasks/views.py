"""A task page: the form from `forms/`, its context beside it, a server-side draft, completion."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.access import access
from engine.casework import task_context
from engine.models.base import fetch
from engine.models.drafts import draft_for
from engine.models.instances import DONE, HumanTask
from engine.platform.errors import InvalidValue, NotAllowed, TaskAlreadyCompleted
from engine.workflow import drafts, permissions
from forms import FormErrors, load, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from ..input_text import checks_own_text, refuse_unstorable
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


def _level(session, task):
    """How much of the child's record shows beside the form (the task itself is allowed)."""
    child_id = task.instance.child_id
    return access.level(session, g.user, child_id) if child_id else None


def _render(task, definition, values, errors=None, status=200, draft=None):
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
        draft=draft,
        context=task_context.for_task(session, task, _level(session, task)),
    ), status


@bp.route("/tasks/<task_id>")
@login_required
def show(task_id):
    task = _task_for(g.user, task_id)
    now = workflow().clock.now()
    access.open_instance(db(), g.user, task.instance, now, f"task {task.task_spec}")
    definition = load(task.form_key)
    draft = draft_for(db(), task.id, g.user.id)
    if draft is not None:
        return _render(task, definition, MultiDict(list(_pairs(draft.values))), draft=draft)
    data = workflow().task_data(db(), task)
    return _render(task, definition, values_from_data(definition, data))


def _pairs(values: dict):
    for name, items in values.items():
        for item in items:
            yield name, item


@bp.route("/tasks/<task_id>", methods=["POST"])
@checks_own_text  # the form names a field holding a NUL; a draft keeps text as sent
@login_required
def submit(task_id):
    task = _task_for(g.user, task_id)
    session = db()
    if request.form.get("action") == "draft":
        refuse_unstorable()
        drafts.save(session, task, g.user, request.form.to_dict(flat=False), workflow().clock.now())
        flash("Your answers are saved as a draft. Nothing has been sent yet.", "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    definition = load(task.form_key)
    data, errors = validate(
        definition, request.form, workflow().clock.today(), options_resolver(session)
    )
    if errors:
        return _render(task, definition, request.form, errors, status=400)
    title = task.title
    try:
        workflow().complete_task(session, task_id, g.user, data)
    except InvalidValue as exc:  # the diagram could not store an answer as given
        return _render(task, definition, request.form, FormErrors(exc.fields), status=400)
    drafts.discard(session, task_id)
    flash(f"“{title}” is done.", "success")
    return redirect(url_for("inbox.index"))


@bp.route("/tasks/<task_id>/draft/delete", methods=["POST"])
@login_required
def discard_draft(task_id):
    task = _task_for(g.user, task_id)
    drafts.discard_mine(db(), task.id, g.user)
    flash("Your draft has been deleted.", "success")
    return redirect(url_for("tasks.show", task_id=task.id))
