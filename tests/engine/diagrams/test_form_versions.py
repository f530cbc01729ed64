"""Forms in the database: drafts, versions a diagram version pins, checks that know them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event

import forms
from engine.diagrams import diagram_editing, form_editing, form_versions, registry
from engine.models.forms import form_draft, pins_of
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidDiagram, NotAllowed, NotFound
from tests.factories import TEST_DIAGRAMS, make_staff, make_user, ready

TWO_STEPS = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()
START_DATA = {"social_worker": "sw", "team_manager": "tm"}
DATE = {"name": "start_date", "type": "date", "label": "Start date", "required": True}


@pytest.fixture
def staff(db):
    people = make_staff(db)
    people["owner"] = make_user(db, "owner", "process_owner", team=None)
    return people


def _forms(db, owner, now):
    for key, title in (("test/first", "Start"), ("test/second", "Second"), ("test/late", "Late")):
        form_editing.create(db, owner, key, title, now)
    form_editing.change_field(db, owner, "test/first", "new", DATE, now)


def _deploy(db, owner, now, why):
    source = form_versions.FormSource(db, drafts=True)
    return diagram_editing.deploy(db, owner, "two_steps", TWO_STEPS, why, source, now)


def test_a_running_case_keeps_the_form_its_diagram_version_was_deployed_with(
    db, engine, clock, staff
):
    owner, now = staff["owner"], clock.now()
    _forms(db, owner, now)
    first, new = _deploy(db, owner, now, "first forms")
    assert new and set(pins_of(db, first.id)) == {"test/first", "test/second", "test/late"}
    assert form_draft(db, "test/first") is None  # deployed with the diagram
    running = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))

    changed = {**DATE, "label": "Date the work started", "hint": "For example, 2 3 2026"}
    form_editing.change_field(db, owner, "test/first", "0", changed, now)
    notes = {"name": "notes", "type": "textarea", "label": "Notes", "max_length": 200}
    form_editing.change_field(db, owner, "test/first", "new", notes, now)
    second, new = _deploy(db, owner, now, "clearer date label")  # the same XML: forms alone
    assert new and second.number == first.number + 1
    later = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))

    kept = form_versions.form_for_task(db, ready(db, running.id)["first"])
    assert [(f.name, f.label) for f in kept.fields] == [("start_date", "Start date")]
    shown = form_versions.form_for_task(db, ready(db, later.id)["first"])
    assert [f.label for f in shown.fields] == ["Date the work started", "Notes"]
    assert _deploy(db, owner, now, "nothing changed") == (second, False)


def test_a_pin_kept_for_the_process_still_shows_each_version_its_own_form(db, engine, clock, staff):
    """`PinnedForms` reads a version's pin once; a later deploy pins a new version, so the
    kept pin is never stale, and a version that pins nothing is read afresh each time."""
    owner, now = staff["owner"], clock.now()
    pins = form_versions.PinnedForms()
    _forms(db, owner, now)
    _deploy(db, owner, now, "first forms")
    running = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    task = ready(db, running.id)["first"]
    assert [f.label for f in form_versions.form_for_task(db, task, pins).fields] == ["Start date"]

    changed = {**DATE, "label": "Date the work started"}
    form_editing.change_field(db, owner, "test/first", "0", changed, now)
    _deploy(db, owner, now, "clearer date label")
    later = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    shown = form_versions.form_for_task(db, ready(db, later.id)["first"], pins)
    assert [f.label for f in shown.fields] == ["Date the work started"]

    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        kept = form_versions.form_for_task(db, task, pins)
        unpinned = pins.pinned(db, 10_000, "test/first")
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert [f.label for f in kept.fields] == ["Start date"]
    assert unpinned is None
    assert len(seen) == 1  # the pin kept: only the version that pins nothing was read


def test_a_version_that_pins_nothing_still_follows_a_newly_deployed_form(db, engine, clock, staff):
    """A version deployed before its forms existed pins none: `PinnedForms` keeps that
    absence (no pin read again), yet the task shows whatever form is deployed newest now."""
    owner, now = staff["owner"], clock.now()
    pins = form_versions.PinnedForms()
    with transaction(db):
        bare, _ = registry.deploy(db, registry.parse(TWO_STEPS.encode(), "two_steps.bpmn"), "t")
    assert pins_of(db, bare.id) == {}
    running = engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    task = ready(db, running.id)["first"]
    with pytest.raises(NotFound):
        form_versions.form_for_task(db, task, pins)

    _forms(db, owner, now)
    _deploy(db, owner, now, "forms at last")  # deploys the forms, pinned by a new version
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.get_bind(), "before_cursor_execute", listener)
    try:
        shown = form_versions.form_for_task(db, task, pins)
        for _twice in range(2):  # of a version not in the database, nothing is kept
            assert pins.pinned(db, 10_000, "test/first") is None
    finally:
        event.remove(db.get_bind(), "before_cursor_execute", listener)
    assert [f.label for f in shown.fields] == ["Start date"]
    assert "diagram_form_pins" not in seen[0]  # the newest form only
    assert len(seen) == 3 and all("diagram_form_pins" in sql for sql in seen[1:])

    changed = {**DATE, "label": "Date the work started"}
    form_editing.change_field(db, owner, "test/first", "0", changed, now)
    _deploy(db, owner, now, "clearer date label")
    shown = form_versions.form_for_task(db, task, pins)
    assert [f.label for f in shown.fields] == ["Date the work started"]


def test_removing_a_field_a_later_script_reads_is_flagged_before_deploy(db, clock, staff):
    owner, now = staff["owner"], clock.now()
    _forms(db, owner, now)
    _deploy(db, owner, now, "first forms")
    form_editing.change_field(db, owner, "test/first", "0", None, now)  # start_date removed
    source = form_versions.FormSource(db, drafts=True)
    result = diagram_editing.check(TWO_STEPS, "two_steps", source)
    assert not result.valid
    assert any(
        "reads “start_date”" in str(p) and p.element == "compute_due" for p in result.problems
    )
    with pytest.raises(InvalidDiagram):
        _deploy(db, owner, now, "drop the date")
    # The deployed version is untouched: the check saw the draft, not the form in use.
    assert diagram_editing.check(TWO_STEPS, "two_steps", form_versions.FormSource(db)).valid


def test_the_editor_refuses_an_unsound_form_and_other_people(db, clock, staff):
    owner, now = staff["owner"], clock.now()
    form_editing.create(db, owner, "test/choice", "Choose", now)
    with pytest.raises(EngineError, match="needs options"):
        form_editing.change_field(
            db,
            owner,
            "test/choice",
            "new",
            {"name": "pick", "type": "radios", "label": "Pick"},
            now,
        )
    with pytest.raises(EngineError, match="already a form"):
        form_editing.create(db, owner, "test/choice", "Again", now)
    with pytest.raises(NotAllowed):
        form_editing.create(db, staff["sw"], "test/other", "Other", now)
    items = {
        "name": "people",
        "type": "list",
        "label": "People",
        "fields": [{"name": "who", "type": "text", "label": "Name"}],
    }
    form_editing.change_field(db, owner, "test/choice", "new", items, now)
    age = {"name": "age", "type": "number", "label": "Age"}
    form_editing.change_field(db, owner, "test/choice", "0.new", age, now)
    form_editing.move_field(db, owner, "test/choice", "0.1", -1, now)
    raw = form_editing.editable(db, "test/choice")
    assert [f["name"] for f in raw["fields"][0]["fields"]] == ["age", "who"]


def test_a_shipped_form_is_read_and_parsed_once_per_process(db, monkeypatch):
    """A task of a version that pins nothing shows the shipped file: kept parsed, not read
    again (it was read once to see that it is there and again to parse it)."""
    key = forms.keys()[0]
    first = form_versions.form_for(db, None, key)
    reads = []
    real = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda p, *a, **k: reads.append(p) or real(p, *a, **k))
    assert form_versions.form_for(db, None, key) is first is forms.load(key)
    assert reads == []


def test_a_shipped_file_that_does_not_parse_is_an_error_not_another_form(db, monkeypatch, tmp_path):
    monkeypatch.setattr(forms.definitions, "FORMS_DIR", tmp_path)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(forms.definitions.FormDefinitionError):
        form_versions.form_for(db, None, "broken")
    with pytest.raises(NotFound):
        form_versions.form_for(db, None, "absent")


def test_parsed_forms_are_kept_up_to_a_bound_the_least_recently_used_dropped(monkeypatch):
    """Kept by content, never parsed twice while kept, and never more than the bound."""
    monkeypatch.setattr(form_versions, "_BY_CONTENT", type(form_versions._BY_CONTENT)())
    monkeypatch.setattr(form_versions, "_BY_CONTENT_MOST", 2)
    parsed = []

    def text(label):
        def read():
            parsed.append(label)
            return json.dumps({"title": label, "fields": []})

        return read

    a = form_versions._by_content("f", "a", text("A"))
    form_versions._by_content("f", "b", text("B"))
    assert form_versions._by_content("f", "a", text("A")) is a  # kept: now the most recent
    form_versions._by_content("f", "c", text("C"))  # over the bound: "b" goes, not "a"
    assert form_versions._by_content("f", "a", text("A")) is a
    form_versions._by_content("f", "b", text("B"))
    assert parsed == ["A", "B", "C", "B"]
    assert len(form_versions._BY_CONTENT) == 2
