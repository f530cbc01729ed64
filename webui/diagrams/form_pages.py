"""The form editor: a process owner's forms, their fields one page each, and a preview.

Every change is one post that saves the form's draft (refused with the reason when the form
would not be sound), so the editor works without JavaScript. The preview renders the draft
with the task page's own components and, given sample answers, the task page's messages.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

import forms
from engine.access import roles
from engine.diagrams import form_editing, form_versions
from engine.models.forms import form_draft, form_versions_of, versions_pinning
from engine.platform.errors import EngineError

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from ..tasks.formdata import options_resolver
from . import bp

TYPES = (
    ("text", "Text (one line)"),
    ("textarea", "Text (paragraphs)"),
    ("date", "Date"),
    ("time", "Time"),
    ("radios", "Radios (choose one)"),
    ("select", "Select (choose one from a list)"),
    ("checkboxes", "Checkboxes (choose any)"),
    ("yes_no", "Yes or no"),
    ("number", "Whole number"),
    ("list", "Repeating list (rows of fields)"),
)
RULES = (
    ("not_future", "Today or in the past"),
    ("not_past", "Today or in the future"),
    ("recent", "Within the last year"),
)


def _key() -> str:
    return (request.values.get("key") or "").strip()


def _now():
    return workflow().clock.now()


@bp.route("/forms")
@login_required
def form_index():
    return render_template("diagrams/forms.html", title="Forms", rows=_rows(), errors={}, values={})


def _rows() -> list[dict]:
    return form_versions.every_form(db())


@bp.route("/forms", methods=["POST"])
@login_required
def form_create():
    key, title = _key(), request.form.get("title", "")
    try:
        form_editing.create(db(), g.user, key, title, _now())
    except EngineError as exc:
        values = {"key": key, "title": title}
        return render_template(
            "diagrams/forms.html",
            title="Forms",
            rows=_rows(),
            errors={"key": str(exc)},
            values=values,
        ), 400
    return redirect(url_for("diagrams.form_edit", key=key))


@bp.route("/forms/edit")
@login_required
def form_edit(error: str | None = None, status: int = 200):
    key = _key()
    if not key:
        return redirect(url_for("diagrams.form_index"))
    session = db()
    raw = form_editing.editable(session, key)
    versions = form_versions_of(session, key)
    return render_template(
        "diagrams/form_edit.html",
        title=f"Edit the form {raw.get('title', key)}",
        key=key,
        raw=raw,
        draft=form_draft(session, key),
        versions=versions,
        used_by=versions_pinning(session, key),
        type_names=dict(TYPES),
        error=error,
    ), status


def _then_edit(change):
    try:
        change()
    except EngineError as exc:
        return form_edit(str(exc), 400)
    flash("Saved in the form's draft. It is deployed with the next diagram that uses it.")
    return redirect(url_for("diagrams.form_edit", key=_key()))


@bp.route("/forms/check")
@login_required
def form_check():
    """The diagrams using the form, checked against its draft (names scripts read too)."""
    key = _key()
    raw = form_editing.editable(db(), key)
    return render_template(
        "diagrams/form_check.html",
        title=f"Check the diagrams that use {raw.get('title', key)}",
        key=key,
        raw=raw,
        results=form_editing.check_users(db(), key),
    )


@bp.route("/forms/details", methods=["POST"])
@login_required
def form_details():
    return _then_edit(
        lambda: form_editing.change_details(db(), g.user, _key(), request.form, _now())
    )


@bp.route("/forms/move", methods=["POST"])
@login_required
def form_move():
    step = -1 if request.form.get("direction") == "up" else 1
    path = request.form.get("path", "")
    return _then_edit(lambda: form_editing.move_field(db(), g.user, _key(), path, step, _now()))


@bp.route("/forms/remove", methods=["POST"])
@login_required
def form_remove():
    path = request.form.get("path", "")
    return _then_edit(lambda: form_editing.change_field(db(), g.user, _key(), path, None, _now()))


@bp.route("/forms/discard", methods=["POST"])
@login_required
def form_discard():
    form_editing.discard_draft(db(), g.user, _key(), _now())
    flash("The draft is discarded.")
    return redirect(url_for("diagrams.form_index"))


@bp.route("/forms/field")
@login_required
def form_field():
    key, path = _key(), request.args.get("path", "new")
    field = form_editing.field_at(db(), key, path) or {}
    return _field_page(key, path, field)


def _field_page(key, path, field, error=None, status=200):
    options = "\n".join(f"{o.get('value')} | {o.get('text')}" for o in field.get("options", []))
    condition = next(iter((field.get("required_if") or {}).items()), ("", ""))
    return render_template(
        "diagrams/form_field.html",
        title="A field of the form",
        key=key,
        path=path,
        field=field,
        options_text=options,
        condition=condition,
        types=TYPES,
        rules=RULES,
        roles=roles.ROLES,
        error=error,
    ), status


@bp.route("/forms/field", methods=["POST"])
@login_required
def form_field_save():
    key, path = _key(), request.values.get("path", "new")
    field = _posted_field()
    try:
        form_editing.change_field(db(), g.user, key, path, field, _now())
    except EngineError as exc:
        return _field_page(key, path, field, str(exc), 400)
    flash("Saved in the form's draft.")
    parent = path.rpartition(".")[0]
    if parent:
        return redirect(url_for("diagrams.form_field", key=key, path=parent))
    return redirect(url_for("diagrams.form_edit", key=key))


def _posted_field() -> dict:
    posted = request.form
    field: dict = {
        "name": posted.get("name", "").strip(),
        "type": posted.get("type", ""),
        "label": posted.get("label", "").strip(),
        "hint": posted.get("hint", "").strip(),
        "required": posted.get("required") == "yes",
        "rules": [r for r in posted.getlist("rules") if r],
    }
    most = posted.get("max_length", "").strip()
    if most:  # as typed when not a number, for the form's check to refuse with its reason
        number = whole_number(most)
        field["max_length"] = most if number is None else number
    when, equals = posted.get("if_field", "").strip(), posted.get("if_value", "").strip()
    if when:
        field["required_if"] = {when: equals}
    options = []
    for line in posted.get("options", "").splitlines():
        value, _, text = line.partition("|")
        if value.strip():
            options.append({"value": value.strip(), "text": (text or value).strip()})
    field["options"] = options
    if posted.get("options_from"):
        field["options_from"] = f"users:{posted['options_from']}"
    if field["type"] == "list":
        field["item_label"] = posted.get("item_label", "").strip() or "Item"
        path = posted.get("path", "new")
        existing = form_editing.field_at(db(), _key(), path) if path != "new" else None
        # A new list starts with one item field, so that it is sound; change it on its page.
        field["fields"] = (existing or {}).get("fields") or [
            {"name": "item", "type": "text", "label": "Item"}
        ]
    return field


@bp.route("/forms/preview", methods=["GET", "POST"])
@login_required
def form_preview():
    """The draft as a person sees it; posting sample answers shows the messages they'd get."""
    key, session = _key(), db()
    definition = forms.parse(key, form_editing.editable(session, key))
    values, errors, data = request.form, {}, None
    if request.method == "POST":
        data, found = forms.validate(
            definition, request.form, workflow().clock.today(), options_resolver(session)
        )
        errors = found.messages
    return render_template(
        "diagrams/form_preview.html",
        title=f"Preview: {definition.title}",
        key=key,
        form=definition,
        values=values,
        errors=errors,
        data=None if errors else data,
        resolve=options_resolver(session),
    ), (422 if errors else 200)
