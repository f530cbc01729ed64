"""Moving a booked conference: the form, and the engine's `rescheduling.reschedule`."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from engine.casework import rescheduling
from engine.platform import workdays
from engine.platform.errors import InvalidValue
from forms import FormErrors, parse, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from ..tasks.formdata import options_resolver, values_from_data
from . import bp, conference_form

MOVE_FORM = parse(
    "conference/reschedule",
    {
        "title": "Move the conference",
        "submit": "Move the conference and send the invitations again",
        "description": "Everyone invited gets a new invitation and agenda with the new details.",
        "fields": [
            {
                "name": "conference_date",
                "type": "date",
                "label": "New date of the conference",
                "hint": "For example, 27 3 2027",
                "required": True,
                "rules": ["not_past"],
            },
            {"name": "conference_time", "type": "time", "label": "Start time", "required": True},
            {
                "name": "venue",
                "type": "text",
                "label": "Venue or call details",
                "required": True,
                "column": "conferences.venue",
            },
            {
                "name": "chair",
                "type": "select",
                "label": "Independent chair",
                "required": True,
                "options_from": "users:conference_chair",
            },
            {
                "name": "reason",
                "type": "textarea",
                "label": "Why the conference is moved",
                "hint": "Kept in the case's history. If the new date is after the date the "
                "conference is due, this is the first draft of the reason it was late.",
                "required": True,
                "max_length": 10000,
            },
        ],
    },
)


def _render(conference, values, errors=None):
    resolve = options_resolver(db())
    return conference_form.render(
        "documents/reschedule.html", conference, MOVE_FORM, values, errors, resolve
    )


@bp.route("/conferences/<id:conference_id>/move", methods=["GET", "POST"])
@login_required
def reschedule(conference_id):
    session = db()
    conference = conference_form.conference_for(
        conference_id,
        rescheduling.may_reschedule,
        "Only business support, a team manager or the chair can move it.",
    )
    if request.method == "GET":
        current = {
            "conference_date": conference.scheduled_on.isoformat(),
            "conference_time": conference.scheduled_time,
            "venue": conference.venue,
            "chair": conference.chair.username if conference.chair else None,
        }
        return _render(conference, values_from_data(MOVE_FORM, current))
    data, errors = validate(
        MOVE_FORM, request.form, workflow().clock.today(), options_resolver(session)
    )
    if errors:
        return _render(conference, request.form, errors)
    try:
        rescheduling.reschedule(
            session,
            workflow(),
            g.user,
            conference.id,
            on=workdays.as_date(data["conference_date"]),
            at=data["conference_time"],
            venue=data["venue"],
            chair=data["chair"],
            reason=data["reason"],
        )
    except InvalidValue as exc:
        return _render(conference, request.form, FormErrors(exc.fields))
    flash("The conference is moved and the invitations have been sent again.", "success")
    return redirect(url_for("documents.show", conference_id=conference.id))
