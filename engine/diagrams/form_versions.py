"""Which version of a form a check sees, a deploy pins and a task shows.

A diagram's check, and its deploy, see each form as a `FormSource` gives it: the process
owner's draft when the editor deploys, the newest deployed version otherwise, the shipped file
in `forms/` when the database has none (a fresh installation) or when the command line deploys
the shipped folder. Deploying pins exactly what was checked, making it a new form version when
it differs from the newest. A task then shows its diagram version's pinned form; versions
deployed before forms were versioned pin nothing and show the shipped file.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

from sqlalchemy.orm import Session

import forms
from engine.models.forms import (
    DiagramFormPin,
    FormVersion,
    form_draft,
    form_keys,
    latest_form,
    newest_form,
    pins_of,
    version_pin,
)
from engine.models.instances import HumanTask
from engine.platform.errors import NotFound


def content_hash(raw: dict) -> str:
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shipped(key: str) -> dict | None:
    """The definition in `forms/` for a key, or None."""
    try:
        path = forms.definitions.path_for(key)
    except forms.definitions.FormDefinitionError:
        return None
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _ships(key: str) -> bool:
    """Whether `forms/` has a file for the key (without reading it)."""
    try:
        return forms.definitions.path_for(key).is_file()
    except forms.definitions.FormDefinitionError:
        return False


class FormSource:
    """The forms a diagram check sees, and what its deploy pins; callable as `form_exists`."""

    def __init__(self, session: Session, drafts: bool = False, files_first: bool = False):
        self.session, self.drafts, self.files_first = session, drafts, files_first
        self._seen: dict[str, tuple[dict, str] | None] = {}

    def found(self, key: str) -> tuple[dict, str] | None:
        """(definition, where from: "draft", "deployed" or "file"), or None."""
        if key not in self._seen:
            self._seen[key] = self._find(key)
        return self._seen[key]

    def _find(self, key: str):
        raw = shipped(key) if self.files_first else None
        if raw is not None:
            return raw, "file"
        draft = form_draft(self.session, key) if self.drafts else None
        if draft is not None:
            return json.loads(draft.definition), "draft"
        latest = latest_form(self.session, key)
        if latest is not None:
            return json.loads(latest.definition), "deployed"
        raw = shipped(key)
        return (raw, "file") if raw is not None else None

    def definition(self, key: str) -> forms.FormDefinition | None:
        found = self.found(key)
        if found is None:
            return None
        try:
            return forms.parse(key, found[0])
        except forms.definitions.FormDefinitionError:
            return None

    def __call__(self, key: str) -> bool:
        return self.definition(key) is not None

    def fields(self, key: str) -> list[str] | None:
        """The field names the task will have, or None when there is no such form."""
        definition = self.definition(key)
        return None if definition is None else [f.name for f in definition.fields]


def every_form(session: Session) -> list[dict]:
    """Every form a task can name, with its newest deployed number (None: only the shipped
    file) and whether a draft waits: for the form list and the diagram editor's picker."""
    stored = form_keys(session)
    keys = sorted(set(stored) | set(forms.keys()))
    return [{"key": k, **stored.get(k, {"deployed": None, "draft": False})} for k in keys]


def form_keys_of(diagram) -> list[str]:
    """The form keys a parsed diagram's user tasks name."""
    keys = []
    for spec in [diagram.spec, *diagram.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            extensions = getattr(task_spec, "extensions", None) or {}
            key = extensions.get("properties", {}).get("formKey")
            if key and getattr(task_spec, "manual", False) and key not in keys:
                keys.append(key)
    return sorted(keys)


def wanted(source: FormSource, keys: list[str]) -> dict[str, str]:
    """form key → content hash of what a deploy would pin."""
    found = {key: source.found(key) for key in keys}
    return {key: content_hash(f[0]) for key, f in found.items() if f is not None}


def pinned_hashes(session: Session, version_id: int) -> dict[str, str]:
    pins = pins_of(session, version_id)
    return {key: session.get(FormVersion, form_id).content_hash for key, form_id in pins.items()}


def pin(session: Session, source: FormSource, version_id: int, keys: list[str], by: str, now):
    """Pin each form the version uses, deploying a draft or a changed file as a new version."""
    for key in keys:
        found = source.found(key)
        if found is None:
            continue
        raw, origin = found
        form = deploy_form(session, key, raw, by, now)
        if origin == "draft":
            session.delete(form_draft(session, key))
        session.add(DiagramFormPin(version_id=version_id, form_key=key, form_version_id=form.id))
    session.flush()


def deploy_form(session: Session, key: str, raw: dict, by: str, now) -> FormVersion:
    """The newest version of the form if it holds `raw`, else a new version holding it."""
    latest = latest_form(session, key)
    digest = content_hash(raw)
    if latest is not None and latest.content_hash == digest:
        return latest
    form = FormVersion(
        form_key=key,
        number=(latest.number if latest else 0) + 1,
        definition=json.dumps(raw, indent=2, ensure_ascii=False),
        content_hash=digest,
        deployed_by=by,
    )
    if now is not None:
        form.deployed_at = now
    session.add(form)
    session.flush()
    return form


def definition_of(form: FormVersion) -> forms.FormDefinition:
    """A deployed form version's definition (parsed once per content)."""
    return _by_content(form.form_key, form.content_hash, lambda: form.definition)


# Form definitions by key and content hash, parsed once: the same content is the same form
# whichever database or version id it came from, so this is safe to keep for the process.
# Bounded, the least recently used dropped first: a council deploys a few hundred versions
# in years, but a process must not grow without end, nor parse on every use once full.
_BY_CONTENT: OrderedDict[tuple[str, str], forms.FormDefinition] = OrderedDict()
_BY_CONTENT_MOST = 1024
_BY_CONTENT_LOCK = threading.Lock()  # the scheduler's thread reads forms too


def _by_content(key: str, digest: str, text) -> forms.FormDefinition:
    """The definition with this content hash; `text()` gives its text when not yet parsed
    (a pin-less task's newest form is read as its id and hash, its text only then)."""
    with _BY_CONTENT_LOCK:
        definition = _BY_CONTENT.get((key, digest))
        if definition is not None:
            _BY_CONTENT.move_to_end((key, digest))
            return definition
    definition = forms.parse(key, json.loads(text()))
    with _BY_CONTENT_LOCK:
        _BY_CONTENT[(key, digest)] = definition
        while len(_BY_CONTENT) > _BY_CONTENT_MOST:
            _BY_CONTENT.popitem(last=False)
    return definition


def form_for(
    session: Session, version_id: int | None, key: str, pins: PinnedForms | None = None
) -> forms.FormDefinition:
    """The form a task of this diagram version shows: its pinned version, else the file.
    `pins` keeps what a version pins for the process's life (see `PinnedForms`)."""
    if pins is not None:
        definition = pins.pinned(session, version_id, key)
    else:
        definition = _pinned(session, version_id, key)
    if definition is not None:
        return definition
    try:
        return forms.load(key)  # the shipped file, read and parsed once per process
    except forms.definitions.FormDefinitionError:
        if _ships(key):
            raise  # a shipped file that does not parse: not quietly another form
    newest = newest_form(session, key)
    if newest is None:
        raise NotFound(f"No form “{key}”.")
    form_id, digest = newest
    return _by_content(key, digest, lambda: session.get(FormVersion, form_id).definition)


def _pinned(session: Session, version_id: int | None, key: str) -> forms.FormDefinition | None:
    form = version_pin(session, version_id, key)[1] if version_id is not None else None
    return definition_of(form) if form is not None else None


class PinnedForms:
    """The form each diagram version pins for a key, or that it pins none, read once per
    process (as `SpecCache` keeps parsed diagrams): every completion and task page would
    otherwise read it again.

    Safe to keep because a pin never changes: a diagram version's pins are written in the
    transaction that deploys it and never updated or deleted, and a form version is
    immutable (a changed form is a new version, pinned only by a new diagram version). So a
    version that exists and pins nothing for a key never will, and that is kept too; what
    such a task shows (the file, else the newest deployed form) can change and is read every
    time. Of a version not in the database nothing is kept. Hold one per app (a test
    database reused with its ids restarted must not meet an older app's pins)."""

    def __init__(self):
        self._found: dict[tuple[int, str], forms.FormDefinition | None] = {}

    def pinned(
        self, session: Session, version_id: int | None, key: str
    ) -> forms.FormDefinition | None:
        if version_id is None:
            return None
        try:
            return self._found[(version_id, key)]
        except KeyError:
            pass
        exists, form = version_pin(session, version_id, key)
        definition = definition_of(form) if form is not None else None
        if exists:
            self._found.setdefault((version_id, key), definition)
        return definition


def form_for_task(
    session: Session, task: HumanTask, pins: PinnedForms | None = None
) -> forms.FormDefinition:
    """The form a task shows (`form_for`); its instance is the one the task row was read
    with, from the session."""
    instance = task.instance
    return form_for(session, instance.version_id if instance else None, task.form_key, pins)
