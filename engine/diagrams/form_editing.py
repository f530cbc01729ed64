"""What a process owner does to a form: start one, change its fields, keep a draft.

A draft is always a sound definition (`forms.parse` accepts it), so the preview can show it
and a diagram can be checked against it at any time. A draft is deployed with the next
diagram version that uses it (`form_versions.pin`), never on its own: a form only reaches
people through a diagram version, which then keeps it.
"""

from __future__ import annotations

import copy
import json

from sqlalchemy.orm import Session

import forms
from engine.diagrams import diagram_editing
from engine.diagrams.form_versions import FormSource
from engine.models import audit
from engine.models.forms import FormDraft, form_draft
from engine.models.people import User
from engine.models.processes import ProcessVersion, latest_versions
from engine.platform.db import transaction
from engine.platform.errors import EngineError, NotAllowed, NotFound
from engine.workflow import permissions

FIELD_KEYS = (
    "name",
    "type",
    "label",
    "hint",
    "required",
    "required_if",
    "rules",
    "max_length",
    "options",
    "options_from",
    "item_label",
    "max_items",
    "fields",
)


def current(session: Session, key: str) -> tuple[dict, str] | None:
    """The form as the editor shows it: the draft, else the newest version, else the file."""
    return FormSource(session, drafts=True).found(key)


def create(session: Session, actor: User, key: str, title: str, now) -> FormDraft:
    """A new form with a title and no fields yet, as a draft."""
    _require_owner(actor)
    key = (key or "").strip().strip("/")
    try:
        forms.definitions.path_for(key)
    except forms.definitions.FormDefinitionError:
        raise EngineError(
            "Give the form a name of lower-case words joined by _ with one /, like "
            "plan/childrens_meeting"
        ) from None
    if current(session, key) is not None:
        raise EngineError(f"There is already a form “{key}”: open it to change it.")
    if not (title or "").strip():
        raise EngineError("Enter the form's title")
    return save_draft(session, actor, key, {"title": title.strip(), "fields": []}, now)


def save_draft(session: Session, actor: User, key: str, raw: dict, now) -> FormDraft:
    """Keep the definition as the form's draft if it is sound; say what is wrong if not."""
    _require_owner(actor)
    try:
        forms.parse(key, raw)
    except forms.definitions.FormDefinitionError as exc:
        raise EngineError(str(exc)) from None
    with transaction(session):
        draft = form_draft(session, key) or FormDraft(form_key=key)
        draft.definition = json.dumps(raw, indent=2, ensure_ascii=False)
        draft.saved_at, draft.saved_by = now, actor.username
        session.add(draft)
        audit.record(session, actor, "form.draft_saved", now, form_key=key)
    return draft


def discard_draft(session: Session, actor: User, key: str, now) -> None:
    _require_owner(actor)
    with transaction(session):
        draft = form_draft(session, key)
        if draft is not None:
            session.delete(draft)
            audit.record(session, actor, "form.draft_discarded", now, form_key=key)


def editable(session: Session, key: str) -> dict:
    found = current(session, key)
    if found is None:
        raise NotFound(f"No form “{key}”.")
    return copy.deepcopy(found[0])


def change_field(
    session: Session, actor: User, key: str, path: str, field: dict | None, now
) -> FormDraft:
    """Put `field` at `path` ("3", "3.1" inside list 3, "new", "3.new"), or remove it (None)."""
    raw = editable(session, key)
    siblings, index = _locate(raw, path)
    if field is not None:
        field = {k: field[k] for k in FIELD_KEYS if field.get(k) not in (None, "", [], {}, False)}
    if index is None:
        if field is None:
            raise NotFound("No such field.")
        siblings.append(field)
    elif field is None:
        siblings.pop(index)
    else:
        keep = siblings[index].get("fields") if field.get("type") == "list" else None
        siblings[index] = {**field, **({"fields": keep} if keep and "fields" not in field else {})}
    return save_draft(session, actor, key, raw, now)


def move_field(session: Session, actor: User, key: str, path: str, step: int, now) -> FormDraft:
    """Move a field up (-1) or down (+1) among its neighbours."""
    raw = editable(session, key)
    siblings, index = _locate(raw, path)
    if index is None or not 0 <= index + step < len(siblings):
        raise EngineError("That field cannot move further.")
    siblings[index], siblings[index + step] = siblings[index + step], siblings[index]
    return save_draft(session, actor, key, raw, now)


def change_details(session: Session, actor: User, key: str, details: dict, now) -> FormDraft:
    raw = editable(session, key)
    for name in ("title", "caption", "description", "submit"):
        value = (details.get(name) or "").strip()
        if value:
            raw[name] = value
        else:
            raw.pop(name, None)
    return save_draft(session, actor, key, raw, now)


def field_at(session: Session, key: str, path: str) -> dict | None:
    """The field at `path`, or None for a new one."""
    siblings, index = _locate(editable(session, key), path)
    return None if index is None else siblings[index]


def check_users(session: Session, key: str) -> list[tuple[ProcessVersion, tuple]]:
    """Each process whose version in use names the form, checked with the form's draft: a
    field removed that a later script reads shows here, before any deploy."""
    source = FormSource(session, drafts=True)
    results = []
    for version in latest_versions(session):
        if f'"{key}"' not in version.bpmn_xml:
            continue
        result = diagram_editing.check(version.bpmn_xml, version.process_id, source)
        results.append((version, result.problems))
    return results


def _locate(raw: dict, path: str) -> tuple[list, int | None]:
    """The list holding the field at `path` and its index there (None: a new field)."""
    parts = (path or "").split(".")
    siblings = raw.setdefault("fields", [])
    try:
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "new" and last:
                return siblings, None
            index = int(part)
            if not 0 <= index < len(siblings):
                raise ValueError
            if last:
                return siblings, index
            if siblings[index].get("type") != "list":
                raise ValueError
            siblings = siblings[index].setdefault("fields", [])
    except ValueError:
        pass
    raise NotFound("No such field.")


def _require_owner(actor: User) -> None:
    if not permissions.can_deploy(actor):
        raise NotAllowed("Only process owners can change forms.")
