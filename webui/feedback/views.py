"""Professionals' feedback on a conference, and the managers' summary of all feedback.

`give` follows `access.require_conference` (full access, or invited to that conference);
`summary` is for managers and counts only conferences `access.child_filter` lets them see.
"""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import access
from engine.casework import feedback
from engine.workflow import permissions
from forms import load, validate

from ..auth.guard import login_required, require
from ..extensions import db, workflow
from . import bp

PERIODS = {
    "30": "the last 30 days",
    "90": "the last 90 days",
    "365": "the last year",
    "all": "all time",
}


@bp.route("/conferences/<id:conference_id>/feedback", methods=["GET", "POST"])
@login_required
def give(conference_id):
    session = db()
    conference, _level = access.require_conference(session, g.user, conference_id)
    definition = load(feedback.FORMS["professional"])
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        data, problems = validate(definition, request.form, workflow().clock.today(), None)
        if not problems:
            feedback.record_professional(session, g.user, conference, data, workflow().clock.now())
            flash("Thank you: your feedback has been recorded.", "success")
            return redirect(url_for("documents.show", conference_id=conference.id))
        values, errors, status = request.form, problems.messages, 400
    return render_template(
        "feedback/give.html",
        title=definition.title,
        conference=conference,
        form=definition,
        values=values,
        errors=errors,
        resolve=None,
    ), status


@bp.route("/feedback")
@login_required
def summary():
    require(permissions.can_manage_instances, "The feedback summary is for managers.")
    period = request.args.get("period", "90")
    if period not in PERIODS:
        period = "90"
    since = None if period == "all" else workflow().clock.now() - timedelta(days=int(period))
    return render_template(
        "feedback/summary.html",
        title="Feedback on conferences",
        forms=feedback.summary(db(), g.user, since),
        periods=PERIODS,
        period=period,
    )
