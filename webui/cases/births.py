"""Recording an unborn child's birth: the form, and the engine's `births.record_birth`."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import access
from engine.casework import births
from engine.platform import workdays
from engine.platform.errors import InvalidValue, NotAllowed
from engine.workflow import permissions
from forms import FormErrors, parse, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp

BIRTH_FORM = parse(
    "cases/birth",
    {
        "title": "Record the birth",
        "submit": "Record the birth",
        "description": "The child is counted as born from now on, and the first review after a "
        "pre-birth conference is worked out from this date.",
        "fields": [
            {
                "name": "date_of_birth",
                "type": "date",
                "label": "Date of birth",
                "hint": "For example, 27 3 2027",
                "required": True,
                "rules": ["not_future", "recent"],
            },
            {
                "name": "given_name",
                "type": "text",
                "label": "Given name",
                "required": True,
                "column": "children.given_name",
            },
            {
                "name": "family_name",
                "type": "text",
                "label": "Family name",
                "required": True,
                "column": "children.family_name",
            },
        ],
    },
)


@bp.route("/children/<id:child_id>/birth", methods=["GET", "POST"])
@login_required
def record_birth(child_id):
    session = db()
    child, level = access.require_child(session, g.user, child_id)
    if level is not access.Level.FULL or not permissions.can_start(g.user):
        raise NotAllowed("Only the child's social worker or their managers can record a birth.")
    values = {"given_name": child.given_name, "family_name": child.family_name}
    errors = None
    if request.method == "POST":
        values = request.form
        data, errors = validate(BIRTH_FORM, request.form, workflow().clock.today(), None)
        if not errors:
            try:
                births.record_birth(
                    session,
                    workflow(),
                    g.user,
                    child.id,
                    born_on=workdays.as_date(data["date_of_birth"]),
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                )
            except InvalidValue as exc:
                errors = FormErrors(exc.fields)
            else:
                flash(f"The birth of {child.full_name} is recorded.", "success")
                return redirect(url_for("cases.show", child_id=child.id))
    return render_template(
        "people/add.html",
        title=BIRTH_FORM.title,
        child=child,
        form=BIRTH_FORM,
        values=values,
        errors=errors.messages if errors else {},
        resolve=None,
    ), (400 if errors else 200)
