"""Tasks: list (mine, my roles', one instance's), read one with its form, claim, unclaim,
assign and complete. Completing follows the task page exactly: the assignee or, while nobody
is assigned, a holder of the task's role (engine/workflow/permissions.py), data validated by
its form."""

from __future__ import annotations

from flask import g, request

from engine.access import access
from engine.diagrams import form_versions
from engine.models.base import fetch
from engine.models.instances import HumanTask, ready_tasks_for, tasks_of
from engine.platform.errors import NotAllowed, NotFound
from engine.workflow import permissions
from forms import validate
from forms.definitions import FormDefinitionError

from ..auth.guard import login_required
from ..extensions import db, services, workflow
from ..tasks.formdata import options_resolver, values_from_data
from . import bp, shapes
from .instances import instance_for
from .requests import InvalidRequest, body, page, query_choice, query_int

SCOPES = ("all", "mine", "role")


def _form(task: HumanTask):
    if not task.form_key:
        return None
    try:
        return form_versions.form_for_task(db(), task, services().pinned_forms)
    except (NotFound, FormDefinitionError):
        return None


@bp.route("/tasks")
@login_required
def tasks_list():
    """Without `instance_id`, the caller's own inbox (as the inbox page); with it, every task
    of that instance, for those with full access to its child's record."""
    limit, offset = page()
    instance_id = query_int("instance_id", None)
    session = db()
    if instance_id is None:
        scope = query_choice("scope", SCOPES, "all")
        found = ready_tasks_for(session, g.user, scope, limit, offset)
        return {"tasks": [shapes.task(t) for t in found], "limit": limit, "offset": offset}
    if request.args.get("scope"):
        raise InvalidRequest({"scope": "Give either “scope” or “instance_id”, not both."})
    instance = instance_for(instance_id)
    if instance.child_id is not None:
        _child, level = access.require_child(session, g.user, instance.child_id)
        if level is not access.Level.FULL:
            raise NotAllowed("You can see only your own tasks on this case.")
    found = tasks_of(session, instance.id)[offset : offset + limit]
    return {"tasks": [shapes.task(t) for t in found], "limit": limit, "offset": offset}


@bp.route("/tasks/<task_id>")
@login_required
def task_show(task_id):
    """The task and its form, for whoever may complete it or completed it, or has full access
    to its case: an agency professional (INVITED) reads only their own tasks, as on the pages."""
    session = db()
    task = fetch(session, HumanTask, task_id, "There is no such task.")
    if not permissions.can_complete(g.user, task) and task.completed_by_id != g.user.id:
        if task.instance.child_id is None:
            access.require_instance(session, g.user, task.instance)
        else:
            _child, level = access.require_child(session, g.user, task.instance.child_id)
            if level is not access.Level.FULL:
                raise NotAllowed("You can see only your own tasks on this case.")
    return {**shapes.task(task), "form_definition": shapes.form(_form(task))}


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    return shapes.task(workflow().claim(db(), g.user, task_id))


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id):
    return shapes.task(workflow().unclaim(db(), g.user, task_id))


@bp.route("/tasks/<task_id>/assign", methods=["POST"])
@login_required
def assign(task_id):
    sent = body()
    username = sent.get("username")
    if username is not None and (not isinstance(username, str) or not username.strip()):
        raise InvalidRequest({"username": "“username” must be a username, or null for the pool."})
    task = workflow().assign(db(), g.user, task_id, username)
    return shapes.task(task)


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
@login_required
def complete(task_id):
    """The engine checks the task (exists, open, the caller's) before the form's validation
    runs, and completes it in the same transaction."""
    session = db()

    def validated(task: HumanTask) -> dict:
        return _validated(session, task, body().get("data", {}))

    done = workflow().complete(session, task_id, g.user, {}, validate=validated)
    return shapes.instance(done.instance, done.ready)


def _validated(session, task: HumanTask, submitted) -> dict:
    """The task's form decides what is valid (a task without a form takes the data as sent)."""
    if not isinstance(submitted, dict):
        raise InvalidRequest({"data": "“data” must be an object."})
    definition = _form(task)
    if definition is None:
        return submitted
    data, errors = validate(
        definition,
        values_from_data(definition, submitted),
        workflow().clock.today(),
        options_resolver(session),
    )
    if errors:
        raise InvalidRequest(errors.messages, "The data is not valid.")
    return data
