from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for

from engine import permissions
from engine.models.audit import history
from engine.models.base import fetch
from engine.models.instances import ProcessInstance, list_instances, tasks_of

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp

STATUSES = ("running", "suspended", "completed", "terminated")


def _require_manager():
    if not (permissions.can_manage_instances(g.user) or permissions.can_deploy(g.user)):
        abort(403, "Only managers and process owners can see every process instance.")


@bp.route("/instances")
@login_required
def index():
    _require_manager()
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    instances = list_instances(db(), status=status)
    return render_template(
        "instances/index.html",
        title="Process instances",
        instances=instances,
        status=status,
        statuses=STATUSES,
    )


@bp.route("/instances/<int:instance_id>")
@login_required
def show(instance_id):
    _require_manager()
    session = db()
    instance = fetch(session, ProcessInstance, instance_id, "There is no such process instance.")
    return render_template(
        "instances/show.html",
        title=f"Case {instance.reference}",
        instance=instance,
        tasks=tasks_of(session, instance.id),
        events=history(session, instance.id),
        can_manage=permissions.can_manage_instances(g.user),
        today=workflow().clock.today(),
    )


@bp.route("/instances/<int:instance_id>/<any(suspend,resume,terminate):action>", methods=["POST"])
@login_required
def control(instance_id, action):
    reason = request.form.get("reason", "").strip()
    getattr(workflow(), action)(db(), instance_id, g.user, reason)
    done = {"suspend": "suspended", "resume": "resumed", "terminate": "ended"}[action]
    flash(f"The workflow has been {done}.", "success")
    return redirect(url_for("instances.show", instance_id=instance_id))
