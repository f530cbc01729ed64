"""A task page: the form from `forms/`, its context beside it, a server-side draft, completion."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.access import access, withheld_text
from engine.casework import family_conferences, task_context
from engine.diagrams import form_versions
from engine.models.base import fetch
from engine.models.drafts import draft_for
from engine.models.instances import DONE, READY, HumanTask
from engine.platform.errors import InvalidValue, NotAllowed, TaskAlreadyCompleted, TaskNotFound
from engine.workflow import drafts, permissions, withheld_answers
from forms import FormErrors, validate

from ..auth.guard import login_required
from ..extensions import db, services, workflow
from ..input_text import checks_own_text, refuse_unstorable
from . import bp
from .formdata import options_resolver, values_from_data


def _task_for(user, task_id: str) -> HumanTask:
    task = fetch(db(), HumanTask, task_id, "There is no such task. It may have been cancelled.")
    if task.state == DONE:
        by = task.completed_by.display_name if task.completed_by else None
        raise TaskAlreadyCompleted(task.title, by, task.completed_at)
    if task.state != READY:  # cancelled: its case moved on or ended, and nothing can be saved
        raise TaskNotFound(f"“{task.title}” was cancelled, so there is nothing to do on it.")
    if not permissions.can_complete(user, task):
        raise NotAllowed(f"“{task.title}” is for another person or role.")
    return task


def _level(session, task):
    """How much of the child's record shows beside the form (the task itself is allowed)."""
    child_id = task.instance.child_id
    return access.level(session, g.user, child_id) if child_id else None


def _render(task, definition, values, errors=None, status=200, draft=None, held=None):
    session = db()
    if held is None:
        _shown, held = _start(session, task)
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
        held=[field for field in definition.fields if field.name in held],
        withheld_mark=withheld_text.WITHHELD,  # what the answers show in its place
        context=task_context.for_task(session, g.user, task, _level(session, task)),
    ), status


@bp.route("/tasks/<task_id>")
@login_required
def show(task_id):
    task = _task_for(g.user, task_id)
    now = workflow().clock.now()
    access.open_instance(db(), g.user, task.instance, now, f"task {task.task_spec}")
    definition = form_versions.form_for_task(db(), task, services().pinned_forms)
    draft = draft_for(db(), task.id, g.user.id)
    data, held = _start(db(), task)
    if draft is not None:
        values = MultiDict(list(_pairs(draft.values)))
        return _render(task, definition, values, draft=draft, held=held)
    return _render(task, definition, values_from_data(definition, data), held=held)


def _start(session, task):
    """What the form opens with, as this person may read it, and the answers in it holding
    text withheld from them (kept as recorded when the form is sent)."""
    recorded = workflow().task_data(session, task)
    data = family_conferences.form_start(session, task.task_spec, recorded)
    return withheld_answers.as_read(session, g.user, task.instance.child_id, data)


def _pairs(values: dict):
    for name, items in values.items():
        for item in items:
            yield name, item


@bp.route("/tasks/<task_id>", methods=["POST"])
@checks_own_text  # the form names a field holding a NUL; a draft keeps text as sent
@login_required
def submit(task_id):
    session = db()
    if request.form.get("action") == "draft":
        task = _task_for(g.user, task_id)
        refuse_unstorable()
        drafts.save(session, task, g.user, request.form.to_dict(flat=False), workflow().clock.now())
        flash("Your answers are saved as a draft. Nothing has been sent yet.", "success")
        return redirect(url_for("tasks.show", task_id=task.id))
    checked: dict = {}

    def validated(task: HumanTask) -> dict:
        """The task's form decides what is valid; the engine has checked the task first."""
        checked["task"], checked["form"] = (
            task,
            form_versions.form_for_task(session, task, services().pinned_forms),
        )
        checked["title"] = task.title
        data, errors = validate(
            checked["form"], request.form, workflow().clock.today(), options_resolver(session)
        )
        if errors:
            raise _FormInvalid(errors)
        return data

    try:
        workflow().complete(session, task_id, g.user, {}, validate=validated)
    except TaskNotFound:
        raise TaskNotFound("There is no such task. It may have been cancelled.") from None
    except _FormInvalid as exc:  # the answers do not pass the form's checks
        return _render(checked["task"], checked["form"], request.form, exc.errors, status=400)
    except InvalidValue as exc:  # the diagram could not store an answer as given
        errors = FormErrors(exc.fields)
        return _render(checked["task"], checked["form"], request.form, errors, status=400)
    flash(f"“{checked['title']}” is done.", "success")
    return redirect(url_for("inbox.index"))


class _FormInvalid(Exception):
    """The posted answers failed the form's validation: nothing is completed."""

    def __init__(self, errors: FormErrors):
        super().__init__("The answers are not valid.")
        self.errors = errors


@bp.route("/tasks/<task_id>/draft/delete", methods=["POST"])
@login_required
def discard_draft(task_id):
    task = _task_for(g.user, task_id)
    drafts.discard_mine(db(), task.id, g.user)
    flash("Your draft has been deleted.", "success")
    return redirect(url_for("tasks.show", task_id=task.id))
