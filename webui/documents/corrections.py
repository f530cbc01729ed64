"""A team manager's correction of a held conference's record (`corrections.correct`)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from engine.casework import corrections
from engine.models.conferences import RCPC
from engine.platform.errors import InvalidValue
from forms import FormErrors, load, parse, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from ..tasks.formdata import values_from_data
from . import bp, conference_form

WORDS = [
    {
        "name": name,
        "type": "textarea",
        "label": label,
        "required": name not in corrections.OPTIONAL,
        "max_length": 10000,
    }
    for name, label in corrections.CORRECTABLE.items()
]
REASON = {
    "name": "reason",
    "type": "textarea",
    "label": "Why the record is corrected",
    "required": True,
    "max_length": 10000,
}
HELD = {
    "name": "held_date",
    "type": "date",
    "label": "Date the conference was held",
    "hint": "Correcting it moves the plan's start and the letter's and minutes' due dates",
    "rules": ["not_future"],
}

STRATEGY = {
    "name": "strategy_discussion_date",
    "type": "date",
    "label": "Date of the strategy discussion",
    "hint": "Correcting it works out again the date the conference was due by",
    "rules": ["not_future"],
}


def correct_form(conference, withheld: dict[str, str]):
    """The correction form, its decisions those of the chair's own form for this kind of
    conference (a review decides to continue or end a plan); the recorded words that hold
    information withheld from the manager (`corrections.withheld_words`) are left out."""
    hold = load("review/hold_review" if conference.kind == RCPC else "icpc/hold_conference")
    choices = [
        {
            "name": f.name,
            "type": "radios",
            "label": f.label,
            "options": list(f.options),
            "hint": "Only within its kind: a decision that starts or ends a plan cannot be "
            "corrected here"
            if f.name == "decision"
            else None,
        }
        for f in hold.fields
        if f.name in ("decision", "category")
    ]
    left_out = [corrections.CORRECTABLE[name] for name in withheld]
    description = (
        "Change only what was recorded wrongly. The old and new answers and your reason are "
        "kept in the case's history; the documents show the corrected record."
    )
    if left_out:
        description += (
            f" Not here, as they hold information withheld from you: {', '.join(left_out)}. "
            "Ask a colleague to correct them."
        )
    return parse(
        f"conference/correct_{conference.kind}_{bool(conference.strategy_discussion_date)}"
        + "".join(f"_{name}" for name in withheld),
        {
            "title": "Correct the conference record",
            "submit": "Save the correction",
            "description": description,
            "fields": [
                HELD,
                *([STRATEGY] if conference.strategy_discussion_date else []),
                *[{k: v for k, v in c.items() if v} for c in choices],
                *[field for field in WORDS if field["name"] not in withheld],
                REASON,
            ],
        },
    )


def _render(conference, form, values, errors=None):
    return conference_form.render("documents/correct.html", conference, form, values, errors)


@bp.route("/conferences/<id:conference_id>/correct", methods=["GET", "POST"])
@login_required
def correct(conference_id):
    session = db()
    conference = conference_form.conference_for(
        conference_id,
        corrections.may_correct,
        "Only a team manager can correct a held conference's record.",
    )
    withheld = corrections.withheld_words(session, g.user, conference)
    form = correct_form(conference, withheld)
    if request.method == "GET":
        values = {
            n: getattr(conference, n) or "" for n in corrections.CORRECTABLE if n not in withheld
        }
        values |= {"decision": conference.decision, "category": conference.category}
        values["held_date"] = conference.held_on.isoformat()
        if conference.strategy_discussion_date:
            values["strategy_discussion_date"] = conference.strategy_discussion_date.isoformat()
        return _render(conference, form, values_from_data(form, values))
    data, errors = validate(form, request.form, workflow().clock.today(), None)
    if errors:
        return _render(conference, form, request.form, errors)
    words = [n for n in corrections.CORRECTABLE if n not in withheld]
    answers = {n: data.get(n) for n in (*words, "decision", "category")}
    answers["held_date"] = data.get("held_date")
    answers["strategy_discussion_date"] = data.get("strategy_discussion_date")
    try:
        done = corrections.correct(
            session,
            g.user,
            conference.id,
            answers,
            data["reason"],
            workflow().clock.now(),
            workflow(),
        )
    except InvalidValue as exc:
        return _render(conference, form, request.form, FormErrors(exc.fields))
    flash(done.message, "success")
    return redirect(url_for("documents.show", conference_id=conference.id))
