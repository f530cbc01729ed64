"""A team manager's correction of a held conference's record (`corrections.correct`)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from engine.casework import corrections
from engine.platform.errors import InvalidValue
from forms import FormErrors, parse, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp, conference_form

CORRECT_FORM = parse(
    "conference/correct",
    {
        "title": "Correct the conference record",
        "submit": "Save the correction",
        "description": "Change only what was recorded wrongly. The old and new words and your "
        "reason are kept in the case's history; the documents show the corrected record.",
        "fields": [
            {
                "name": name,
                "type": "textarea",
                "label": label,
                "required": name not in corrections.OPTIONAL,
                "max_length": 10000,
            }
            for name, label in corrections.CORRECTABLE.items()
        ]
        + [
            {
                "name": "reason",
                "type": "textarea",
                "label": "Why the record is corrected",
                "required": True,
                "max_length": 10000,
            }
        ],
    },
)


def _render(conference, values, errors=None):
    return conference_form.render(
        "documents/correct.html", conference, CORRECT_FORM, values, errors
    )


@bp.route("/conferences/<id:conference_id>/correct", methods=["GET", "POST"])
@login_required
def correct(conference_id):
    session = db()
    conference = conference_form.conference_for(
        conference_id,
        corrections.may_correct,
        "Only a team manager can correct a held conference's record.",
    )
    if request.method == "GET":
        values = {n: getattr(conference, n) or "" for n in corrections.CORRECTABLE}
        return _render(conference, values)
    data, errors = validate(CORRECT_FORM, request.form, workflow().clock.today(), None)
    if errors:
        return _render(conference, request.form, errors)
    answers = {n: data.get(n) for n in corrections.CORRECTABLE}
    try:
        corrections.correct(
            session, g.user, conference.id, answers, data["reason"], workflow().clock.now()
        )
    except InvalidValue as exc:
        return _render(conference, request.form, FormErrors(exc.fields))
    flash("The conference record is corrected.", "success")
    return redirect(url_for("documents.show", conference_id=conference.id))
