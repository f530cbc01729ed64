from __future__ import annotations

from flask import g, request

from engine import cases
from engine.errors import EngineError
from engine.models.base import fetch
from engine.models.instances import HumanTask, ProcessInstance, inbox, open_tasks
from forms import load, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from ..tasks.formdata import options_resolver, values_from_data
from . import bp


def task_json(task: HumanTask) -> dict:
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "case_reference": task.instance.reference,
        "task": task.task_spec,
        "title": task.title,
        "role": task.role,
        "assignee": task.assignee.username if task.assignee else None,
        "due_on": task.due_on.isoformat() if task.due_on else None,
        "state": task.state,
        "form": task.form_key,
    }


def instance_json(instance: ProcessInstance, tasks: list[HumanTask]) -> dict:
    return {
        "id": instance.id,
        "reference": instance.reference,
        "process_id": instance.process_id,
        "version_id": instance.version_id,
        "status": instance.status,
        "child_id": instance.child_id,
        "next_timer_at": instance.next_timer_at.isoformat() if instance.next_timer_at else None,
        "ready_tasks": [task_json(t) for t in tasks],
    }


def _payload() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise EngineError("Send a JSON object.")
    return body


@bp.route("/tasks")
@login_required
def tasks():
    return {"tasks": [task_json(t) for t in inbox(db(), g.user)]}


@bp.route("/tasks/<task_id>/complete", methods=["POST"])
@login_required
def complete(task_id):
    session = db()
    task = fetch(session, HumanTask, task_id, "There is no such task.")
    definition = load(task.form_key)
    submitted = _payload().get("data", {})
    if not isinstance(submitted, dict):
        raise EngineError("“data” must be an object.")
    data, errors = validate(
        definition,
        values_from_data(definition, submitted),
        workflow().clock.today(),
        options_resolver(session),
    )
    if errors:
        return {"error": "The data is not valid.", "fields": errors.messages}, 400
    instance = workflow().complete_task(session, task_id, g.user, data)
    return instance_json(instance, open_tasks(session, instance.id))


@bp.route("/instances", methods=["POST"])
@login_required
def start():
    body = _payload()
    child_id, conference_type = body.get("child_id"), body.get("conference_type", "icpc")
    if not isinstance(child_id, int):
        raise EngineError("“child_id” must be a number.")
    session = db()
    instance = cases.start_conference(session, workflow(), g.user, child_id, conference_type)
    return instance_json(instance, open_tasks(session, instance.id)), 201


@bp.route("/instances/<int:instance_id>")
@login_required
def instance(instance_id):
    session = db()
    found = fetch(session, ProcessInstance, instance_id, "There is no such process instance.")
    return instance_json(found, open_tasks(session, found.id))


@bp.route("/session", methods=["POST"])
def sign_in():
    """Sign in for API clients: the same session cookie the pages use."""
    from flask import session as cookie

    from engine import accounts

    body = _payload()
    user = accounts.authenticate(db(), str(body.get("username", "")), str(body.get("password", "")))
    if user is None:
        return {"error": "Enter a correct username and password."}, 401
    cookie.clear()
    cookie["user_id"] = user.id
    return {"username": user.username, "roles": sorted(user.roles)}
