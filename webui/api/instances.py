"""Process instances: list and filter, start one for a child, read one with tasks, timers and
history. Listing and reading are for managers and process owners, as on the instance pages;
starting follows the case page's rules (engine/casework/cases.py): a conference, a plan
ending, or any process the catalogue lets a child's page start."""

from __future__ import annotations

from flask import g, request

from engine.access import access, withholding
from engine.casework import cases, instance_view
from engine.models.base import fetch
from engine.models.instances import ProcessInstance, list_instances, tasks_of
from engine.models.timers import timers_of
from engine.platform.errors import NotFound
from engine.workflow import permissions

from ..auth.guard import login_required, require
from ..extensions import db, workflow
from . import bp, shapes
from .requests import InvalidRequest, body, integer, page, query_bool, query_choice, query_int

STATUSES = ("running", "suspended", "completed", "terminated")


# The same rule, in the same words, as the instance pages.
INSTANCES_REFUSAL = "Only managers and process owners can see every process instance."


@bp.route("/instances")
@login_required
def instances_list():
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    limit, offset = page()
    session = db()
    found = list_instances(
        session,
        process_id=request.args.get("process") or None,
        status=query_choice("status", STATUSES),
        child_id=query_int("child_id", None),
        overdue_on=workflow().clock.today() if query_bool("overdue") else None,
        condition=access.child_filter(g.user, ProcessInstance.child_id),
        limit=limit,
        offset=offset,
    )
    return {"instances": [shapes.instance(i) for i in found], "limit": limit, "offset": offset}


@bp.route("/instances", methods=["POST"])
@login_required
def instance_start():
    """Start a conference (`icpc`), a plan ending (`end_plan`) or a process the catalogue lets
    a child's page start (a Children's Meeting), for a child with the case's data. Which of the
    catalogue's processes may start is the engine's rule (cases.start_from_child_page): a
    retired or diagram-only process is refused with its reason, as on the child's page."""
    sent = body()
    process_id = sent.get("process_id", "icpc")
    if not isinstance(process_id, str) or not process_id:
        raise InvalidRequest({"process_id": "“process_id” must be a process's id."})
    child_id = integer(sent.get("child_id"), "child_id")
    session, ready = db(), []  # the new case's open tasks, as its start wrote them
    if process_id == "end_plan":
        started = cases.start_plan_ending(session, workflow(), g.user, child_id, ready)
    elif process_id == "icpc":
        conference_type = sent.get("conference_type", "icpc")
        if not isinstance(conference_type, str) or conference_type not in cases.CONFERENCE_TYPES:
            choices = ", ".join(cases.CONFERENCE_TYPES)
            raise InvalidRequest({"conference_type": f"Choose one of: {choices}."})
        started = cases.start_conference(
            session, workflow(), g.user, child_id, conference_type, ready
        )
    else:
        started = cases.start_from_child_page(
            session, workflow(), g.user, child_id, process_id, ready
        )
    return shapes.instance(started, ready), 201


@bp.route("/instances/<id:instance_id>")
@login_required
def instance_show(instance_id):
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    session = db()
    found = fetch(session, ProcessInstance, instance_id, "There is no such process instance.")
    access.open_instance(session, g.user, found, workflow().clock.now(), "api instance")
    withheld = withholding.values_hidden_from(session, g.user, found.child_id)
    return {
        **shapes.instance(found),
        "tasks": [shapes.task(t) for t in tasks_of(session, found.id)],
        "timers": [shapes.timer(t) for t in timers_of(session, found.id)],
        "history": [shapes.event(e) for e in instance_view.events_for(session, found.id, withheld)],
    }


def instance_for(instance_id: int) -> ProcessInstance:
    """An instance whose child's record the caller may see (404 before 403, as the pages)."""
    session = db()
    found = session.get(ProcessInstance, instance_id)
    if found is None:
        raise NotFound("There is no such process instance.")
    access.require_instance(session, g.user, found)
    return found
