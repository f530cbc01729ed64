"""Process instances for managers: find them, see one drawn on its diagram, control it."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for

from engine.access import access, withholding
from engine.casework import instance_view
from engine.models.base import fetch
from engine.models.instance_search import InstanceFilter, filter_options, search
from engine.models.instances import READY, ProcessInstance
from engine.models.people import users_with_role
from engine.platform.errors import EngineError, NotAllowed, NotFound
from engine.workflow import permissions, timers

from ..auth.guard import login_required, require
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp

STATUSES = ("running", "suspended", "completed", "terminated")


INSTANCES_REFUSAL = "Only managers and process owners can see every process instance."


def _number(value: str | None) -> int | None:
    return whole_number(value)


def _wanted(args) -> InstanceFilter:
    return InstanceFilter(
        process=args.get("process") or None,
        version=_number(args.get("version")),
        status=args.get("status") if args.get("status") in STATUSES else None,
        stage=args.get("stage") or None,
        team=args.get("team") or None,
        overdue=args.get("overdue") == "yes",
        child=(args.get("child") or "").strip()[:100] or None,
        page=_number(args.get("page")) or 1,
    )


def _instance(session, instance_id: int) -> ProcessInstance:
    instance = fetch(session, ProcessInstance, instance_id, "There is no such process instance.")
    access.require_instance(session, g.user, instance)
    return instance


@bp.route("/instances")
@login_required
def index():
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    session = db()
    wanted = _wanted(request.args)
    condition = access.child_filter(g.user, ProcessInstance.child_id)
    found = search(session, wanted, workflow().clock.today(), condition)
    return render_template(
        "instances/index.html",
        title="Process instances",
        found=found,
        wanted=wanted,
        status=wanted.status,
        statuses=STATUSES,
        options=filter_options(session),
        query=request.args.to_dict(),
        # A process owner sees no child's record here: their processes' cases are listed
        # per process under Diagrams.
        owner_only=permissions.can_deploy(g.user) and not permissions.can_manage_instances(g.user),
    )


@bp.route("/instances/<id:instance_id>")
@login_required
def show(instance_id):
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    session = db()
    instance = _instance(session, instance_id)
    access.open_instance(session, g.user, instance, workflow().clock.now(), "instance page")
    withheld = withholding.values_hidden_from(session, g.user, instance.child_id)
    details = instance_view.for_instance(
        session, instance, workflow().instance_data(session, instance), withheld
    )
    return render_template(
        "instances/show.html",
        title=f"Case {instance.reference}",
        instance=instance,
        details=details,
        tasks=details.tasks,
        events=details.events,
        can_manage=permissions.can_manage_instances(g.user),
        colleagues={
            role: users_with_role(session, role)
            for role in {t.role for t in details.tasks if t.role and t.state == READY}
        },
        today=workflow().clock.today(),
    )


@bp.route("/instances/<id:instance_id>/diagram.bpmn")
@login_required
def diagram_xml(instance_id):
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    session = db()
    instance = _instance(session, instance_id)
    xml = instance_view.diagram_xml(session, instance)
    return xml, 200, {"Content-Type": "application/xml; charset=utf-8"}


@bp.route("/instances/<id:instance_id>/diagram.json")
@login_required
def diagram_states(instance_id):
    require(permissions.can_see_all_instances, INSTANCES_REFUSAL)
    session = db()
    instance = _instance(session, instance_id)
    today = workflow().clock.today()
    return jsonify(instance_view.highlights(workflow(), session, instance, today))


@bp.route(
    "/instances/<id:instance_id>/<any(suspend,resume,terminate,retry):action>",
    methods=["POST"],
)
@login_required
def control(instance_id, action):
    reason = request.form.get("reason", "").strip()
    session = db()
    _instance(session, instance_id)
    try:
        if action == "retry":
            timers.retry(session, instance_id, g.user, workflow().clock.now())
            flash("The failed timer will be tried again at the next sweep.", "success")
        else:
            getattr(workflow(), action)(session, instance_id, g.user, reason)
            done = {"suspend": "suspended", "resume": "resumed", "terminate": "ended"}[action]
            flash(f"The workflow has been {done}.", "success")
    except (NotAllowed, NotFound):
        raise
    except EngineError as problem:  # a missing reason, a case already ended: say so there
        flash(str(problem), "error")
    return redirect(url_for("instances.show", instance_id=instance_id))
