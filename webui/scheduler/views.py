from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, g, redirect, render_template, url_for

from engine.messaging import outbox
from engine.operations import readiness
from engine.operations.scheduler import status
from engine.workflow import permissions, timers

from ..auth.guard import login_required, require
from ..extensions import db, workflow
from . import bp

SCHEDULER_REFUSAL = "Only managers can see the scheduler."


@bp.route("/scheduler")
@login_required
def index():
    require(permissions.can_manage_instances, SCHEDULER_REFUSAL)
    now = workflow().clock.now()
    stuck_after = timedelta(seconds=current_app.config["OUTBOX_STUCK_SECONDS"])
    return render_template(
        "scheduler/index.html",
        title="Scheduler",
        status=status(db(), now, g.user),
        checks=readiness.check(db(), now, stuck_after),
    )


@bp.route("/scheduler/timers/<id:instance_id>/retry", methods=["POST"])
@login_required
def retry_timer(instance_id):
    instance = timers.retry(db(), instance_id, g.user, workflow().clock.now())
    flash(f"The timers of case {instance.reference} will be tried again now.", "success")
    return redirect(url_for("scheduler.index"))


@bp.route("/scheduler/mail/<id:message_id>/retry", methods=["POST"])
@login_required
def retry_mail(message_id):
    message = outbox.retry(db(), message_id, g.user, workflow().clock.now())
    flash(f"The email “{message.subject}” will be sent again now.", "success")
    return redirect(url_for("scheduler.index"))
