from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import access, roles, withholding
from engine.casework import cases
from engine.models.child_conferences import requests_for_child
from engine.models.people import active_users
from engine.models.withholding import GROUP_HINTS, GROUPS, WITHHOLDABLE
from engine.platform.errors import NotAllowed
from engine.workflow import permissions
from forms import parse, validate

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp

PERSON_FORM = parse(
    "people/add",
    {
        "title": "Add a person involved",
        "submit": "Add person",
        "fields": [
            {
                "name": "kind",
                "type": "radios",
                "label": "Who are they?",
                "required": True,
                "options": [{"value": k, "text": t} for k, t in cases.PERSON_KINDS.items()],
            },
            {
                "name": "name",
                "type": "text",
                "label": "Full name",
                "required": True,
                "column": "case_people.name",
            },
            {
                "name": "relationship_or_agency",
                "type": "text",
                "label": "Relationship to the child, or agency",
                "column": "case_people.relationship_or_agency",
            },
            {
                "name": "email",
                "type": "text",
                "label": "Email address",
                "column": "case_people.email",
            },
            {
                "name": "phone",
                "type": "text",
                "label": "Phone number",
                "column": "case_people.phone",
            },
            {"name": "address", "type": "textarea", "label": "Address", "max_length": 1000},
        ],
    },
)


@bp.route("/children/<id:child_id>/people/new", methods=["GET", "POST"])
@login_required
def add(child_id):
    session = db()
    child, level = access.require_child(session, g.user, child_id)
    if level is not access.Level.FULL or not permissions.can_start(g.user):
        raise NotAllowed("Only the child's social worker or their managers can add people.")
    errors, values = {}, request.form
    if request.method == "POST":
        data, problems = validate(PERSON_FORM, request.form, workflow().clock.today(), None)
        if not problems:
            person = cases.add_person(session, g.user, child.id, data, workflow().clock.now())
            flash(f"{person.name} has been added.", "success")
            return redirect(url_for("cases.show", child_id=child.id) + "#people")
        errors = problems.messages
    return render_template(
        "people/add.html",
        title=PERSON_FORM.title,
        child=child,
        form=PERSON_FORM,
        values=values,
        errors=errors,
        resolve=None,
    ), (400 if errors else 200)


def _withhold_form(session, child_id: int):
    """The chair's form: what to withhold (a field of a person or a report), from whom, why."""
    what = []
    for person in withholding.people_for(session, g.user, child_id):
        for (record, field_name), label in WITHHOLDABLE.items():
            if record == "person" and getattr(person, field_name):
                what.append(
                    {"value": f"person:{person.id}:{field_name}", "text": f"{person.name}: {label}"}
                )
    for report in withholding.reports_for(session, g.user, child_id):
        if report.summary:
            author = report.agency or report.author or report.kind.replace("_", " ")
            what.append({"value": f"report:{report.id}:summary", "text": f"Report from {author}"})
    audience = [
        {"value": f"user:{u.username}", "text": u.display_name}
        for u in active_users(session)
        if u.id != g.user.id
    ]
    audience += [
        {"value": f"role:{key}", "text": f"Every {label.lower()}"}
        for key, label in roles.ROLES.items()
        if key != "conference_chair"
    ]
    audience += [
        {"value": f"person:{p.id}", "text": f"{p.name} (family)"}
        for p in withholding.people_for(session, g.user, child_id)
        if p.kind == "family"
    ]
    audience += [  # a group, whoever is in it when the record is read (added later too)
        {"value": f"group:{key}", "text": f"{label.capitalize()}: {GROUP_HINTS[key]}"}
        for key, label in GROUPS.items()
    ]
    return parse(
        "people/withhold",
        {
            "title": "Withhold information",
            "submit": "Withhold",
            "fields": [
                {
                    "name": "what",
                    "type": "select",
                    "label": "Information to withhold",
                    "required": True,
                    "options": what or [{"value": "", "text": "Nothing to withhold"}],
                },
                {
                    "name": "audience",
                    "type": "select",
                    "label": "Withhold it from",
                    "required": True,
                    "options": audience,
                },
                {
                    "name": "reason",
                    "type": "textarea",
                    "label": "Reason",
                    "required": True,
                    "max_length": 2000,
                },
            ],
        },
    )


@bp.route("/children/<id:child_id>/withheld", methods=["GET", "POST"])
@login_required
def withheld(child_id):
    session = db()
    child, _ = access.require_child(session, g.user, child_id)
    if not withholding.can_withhold(session, g.user, child.id):
        raise NotAllowed("Only the conference chair can withhold information.")
    form = _withhold_form(session, child.id)
    errors, values = {}, request.form
    if request.method == "POST":
        data, problems = validate(form, request.form, workflow().clock.today(), None)
        if not problems:
            record, record_id, field_name = data["what"].split(":")
            withholding.withhold(
                session,
                g.user,
                child.id,
                record,
                int(record_id),
                field_name,
                data["audience"],
                data["reason"],
                workflow().clock.now(),
            )
            flash("The information is now withheld.", "success")
            return redirect(url_for("people.withheld", child_id=child.id))
        errors = problems.messages
    items = withholding.in_force(session, child.id)
    requests = requests_for_child(session, child.id)
    withheld_text = withholding.values_hidden_from(session, g.user, child.id)
    return render_template(
        "people/withheld.html",
        title="Withheld information",
        child=child,
        form=form,
        values=values,
        errors=errors,
        resolve=None,
        items=items,
        requests=requests,
        request_texts=withholding.request_texts(requests, withheld_text),
        field_names={field: name for (_r, field), name in WITHHOLDABLE.items()},
        audience_of=lambda item: withholding.describe_audience(session, item),
        item_texts=withholding.item_texts(session, items, withheld_text),
    ), (400 if errors else 200)


@bp.route("/children/<id:child_id>/withheld/<id:item_id>/lift", methods=["POST"])
@login_required
def lift(child_id, item_id):
    session = db()
    access.require_child(session, g.user, child_id)
    withholding.lift(session, g.user, item_id, workflow().clock.now())
    flash("The information is no longer withheld.", "success")
    return redirect(url_for("people.withheld", child_id=child_id))
