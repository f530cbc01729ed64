"""Joining a child's conference to a brother's or sister's: `family_conferences.join`."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from engine.access import access
from engine.casework import family_conferences
from engine.platform.errors import InvalidValue, NotAllowed

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp
from .views import _page


@bp.route("/conferences/<id:conference_id>/join", methods=["POST"])
@login_required
def join(conference_id):
    session = db()
    conference, level = access.require_conference(session, g.user, conference_id)
    if level is not access.Level.FULL or not family_conferences.may_link(g.user):
        raise NotAllowed("Only staff working on the child's case can join conferences.")
    chosen = whole_number(request.form.get("sibling_conference"))
    if chosen is None:
        errors = {"sibling_conference": "Select the brother's or sister's conference to join"}
        return _page(conference, level, errors=errors, values=request.form, status=400)
    try:
        family_conferences.join(
            session,
            workflow(),
            g.user,
            conference.id,
            chosen,
            request.form.get("booking_reason"),
        )
    except InvalidValue as exc:
        return _page(conference, level, errors=exc.fields, values=request.form, status=400)
    flash("This is now a family conference: booked, moved and counted once.", "success")
    return redirect(url_for("documents.show", conference_id=conference.id))
