"""Checking, drafting and deploying diagrams: hostile files, other modellers, reasons, audit."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy import select

from engine.casework import vocabulary
from engine.diagrams import diagram_diff, diagram_editing, registry
from engine.models import AuditEvent, DiagramDraft
from engine.models.processes import versions_of
from engine.platform.errors import EngineError, InvalidDiagram, NotAllowed
from forms import exists as form_exists
from tests.factories import PROCESSES, TEST_DIAGRAMS, deploy_processes, make_user

FOREIGN = Path(__file__).resolve().parents[1] / "diagrams" / "foreign"
TWO_STEPS = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()
CORE_GROUP = (PROCESSES / "core_group.bpmn").read_text()
INTERVAL = 'add_days(core_group_date, 7 * setting("core_group_interval_weeks"))'


def problems(xml, process_id="two_steps", forms=lambda key: True):
    result = diagram_editing.check(xml, process_id, forms)
    assert not result.valid
    return [(p.element, str(p)) for p in result.problems]


@pytest.fixture
def owner(db):
    return make_user(db, "owner", "process_owner", team=None)


# ---- hostile files ---------------------------------------------------------------------


def test_external_entities_are_refused():
    xxe = TWO_STEPS.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ).replace('name="Two steps"', 'name="&x;"')
    [(_, message)] = problems(xxe)
    assert "DOCTYPE is not allowed" in message


def test_billion_laughs_is_refused_without_expanding():
    lol = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = TWO_STEPS.replace(
        '<?xml version="1.0" encoding="UTF-8"?>', f'<?xml version="1.0"?><!DOCTYPE d [{lol}]>'
    ).replace('name="Two steps"', 'name="&l9;"')
    [(_, message)] = problems(bomb)
    assert "DOCTYPE" in message or "entity" in message.lower()


def test_a_50_mb_file_is_refused_before_parsing():
    huge = TWO_STEPS.replace(
        "</bpmn:definitions>", "<!--" + "x" * 50_000_000 + "--></bpmn:definitions>"
    )
    [(_, message)] = problems(huge)
    assert "larger than 2048 KB" in message


def test_a_script_that_imports_is_refused_at_validation_with_its_element():
    hostile = TWO_STEPS.replace(
        "due_date = add_working_days(start_date, 2)", "due_date = __import__('os').getcwd()"
    )
    [(element, message)] = problems(hostile)
    assert element == "compute_due"
    assert "script does not compile" in message and "__import__" in message


def test_a_script_that_imports_is_refused_at_run_time_too(tmp_path):
    """A spec that never went through validation still cannot reach the operating system."""
    marker = tmp_path / "pwned"
    hostile = TWO_STEPS.replace(
        "due_date = add_working_days(start_date, 2)",
        f"due_date = __import__('os').system('touch {marker}')",
    )
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(hostile.encode())
    workflow = BpmnWorkflow(
        parser.get_spec("two_steps"), script_engine=vocabulary.LANGUAGE.script_engine()
    )
    workflow.do_engine_steps()
    [first] = workflow.get_tasks(manual=True, state=16)
    first.set_data(start_date="2026-03-02")
    first.run()
    with pytest.raises(Exception, match="__import__"):
        workflow.do_engine_steps()
    assert not marker.exists()


def test_attribute_escapes_are_refused():
    hostile = TWO_STEPS.replace(
        "due_date = add_working_days(start_date, 2)",
        "due_date = ().__class__.__bases__[0].__subclasses__()",
    )
    [(element, message)] = problems(hostile)
    assert element == "compute_due" and "__class__" in message


def test_a_timer_calling_an_unknown_function_is_refused():
    hostile = TWO_STEPS.replace("deadline(due_date)", "open('/etc/passwd').read()")
    [(element, message)] = problems(hostile)
    assert element == "second_late" and "fails on sample data" in message


# ---- shape ---------------------------------------------------------------------------


def test_unreachable_and_dead_end_elements_are_named():
    orphan = TWO_STEPS.replace(
        '<bpmn:endEvent id="done">',
        '<bpmn:scriptTask id="stray" name="Stray step"><bpmn:script>x = 1</bpmn:script>'
        '</bpmn:scriptTask><bpmn:endEvent id="done">',
    )
    found = problems(orphan)
    assert (
        "stray",
        "“Stray step” (stray): nothing leads to this script task, so no case can ever reach it",
    ) in found
    assert any(e == "stray" and "nothing follows" in m for e, m in found)


def test_a_lane_that_is_not_a_role_points_at_the_user_task():
    found = problems(TWO_STEPS.replace('name="Team manager"', 'name="Tea lady"'))
    assert found[0][0] == "explain_late" and "Tea lady" in found[0][1]


def test_a_missing_form_points_at_the_user_task():
    found = problems(TWO_STEPS, forms=lambda key: key != "test/second")
    assert found == [
        ("second", "“Do the second step” (second): no form definition for formKey “test/second”")
    ]


def test_a_diagram_for_another_process_is_refused():
    found = problems(TWO_STEPS, process_id="core_group")
    assert "not “core_group”" in found[0][1]


# ---- other modellers ------------------------------------------------------------------


def test_a_camunda_7_diagram_imports_and_validates_with_its_form_key():
    xml = (FOREIGN / "camunda7_core_group.bpmn").read_bytes()
    result = diagram_editing.check(xml, "camunda7_core_group", form_exists)
    assert result.valid, result.problems
    assert "form key “plan/core_group_meeting”" in result.diagram.notes[0]
    [task] = [s for s in result.diagram.spec.task_specs.values() if getattr(s, "manual", False)]
    assert task.extensions["properties"]["formKey"] == "plan/core_group_meeting"
    assert task.lane == "Social worker"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "camunda7_groovy_and_delegate",
            [
                ("Activity_compute_date", "a groovy script cannot run here"),
                ("Activity_send_email", "it calls Java code"),
            ],
        ),
        ("camunda7_unquoted_timer", [("Event_wait_ten_days", 'write it in quotes ("P10D")')]),
        ("camunda8_agency_report", [("Activity_file_report", "Zeebe job worker")]),
        ("signavio_plan_ending", [("sid-AGREE-0002", "a user task needs a formKey property")]),
    ],
)
def test_other_modellers_diagrams_are_refused_naming_element_and_reason(name, expected):
    xml = (FOREIGN / f"{name}.bpmn").read_bytes()
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse(xml, f"{name}.bpmn", form_exists)
    found = [(p.element, str(p)) for p in caught.value.problems]
    assert len(found) == len(expected)
    for (element, message), (want_element, want_text) in zip(found, expected, strict=True):
        assert element == want_element and want_text in message


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\xff\xfe<not xml>",
        b"<html><body>not a diagram</body></html>",
        b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
    ],
)
def test_junk_is_refused_with_a_message_never_a_crash(junk):
    result = diagram_editing.check(junk, "two_steps", form_exists)
    assert not result.valid and str(result.problems[0])


# ---- drafts and deploys ---------------------------------------------------------------


def test_deploy_needs_a_reason_records_it_and_clears_the_draft(db, clock, owner):
    deploy_processes(db)
    changed = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 28)")
    diagram_editing.save_draft(db, owner, "core_group", changed, clock.now())
    assert db.scalar(select(DiagramDraft)).saved_by == "owner"
    with pytest.raises(EngineError, match="Say why"):
        diagram_editing.deploy(db, owner, "core_group", changed, " ", form_exists, clock.now())

    version, new = diagram_editing.deploy(
        db, owner, "core_group", changed, "Core groups every 4 weeks", form_exists, clock.now()
    )

    assert new and versions_of(db, "core_group")[0].id == version.id
    assert version.comment == "Core groups every 4 weeks" and version.deployed_by == "owner"
    assert db.scalar(select(DiagramDraft)) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "process.deployed"))
    assert event.detail["version_id"] == version.id and event.actor_name == "owner"


def test_a_reason_too_long_is_refused_not_cut(db, clock, owner):
    deploy_processes(db)
    before = versions_of(db, "core_group")[0].id
    changed = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 28)")
    reason = "Core groups every 4 weeks. " * 80  # 2,160 characters
    with pytest.raises(EngineError, match="2,000 characters or fewer"):
        diagram_editing.deploy(db, owner, "core_group", changed, reason, form_exists, clock.now())
    assert versions_of(db, "core_group")[0].id == before

    reason = reason[: diagram_editing.REASON_LIMIT].strip()
    version, new = diagram_editing.deploy(
        db, owner, "core_group", changed, reason, form_exists, clock.now()
    )
    assert new and version.comment == reason


def test_an_invalid_deploy_changes_nothing(db, clock, owner):
    deploy_processes(db)
    before = len(versions_of(db, "core_group"))
    broken = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 7 *")
    with pytest.raises(InvalidDiagram) as caught:
        diagram_editing.deploy(db, owner, "core_group", broken, "why", form_exists, clock.now())
    assert caught.value.problems[0].element == "next_meeting"
    assert len(versions_of(db, "core_group")) == before


def test_a_draft_may_be_unfinished_but_must_be_safe_and_this_process(db, clock, owner):
    unfinished = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 7 *")
    diagram_editing.save_draft(db, owner, "core_group", unfinished, clock.now())
    with pytest.raises(InvalidDiagram, match="no process with the id"):
        diagram_editing.save_draft(db, owner, "core_group", TWO_STEPS, clock.now())
    with pytest.raises(InvalidDiagram, match="DOCTYPE"):
        diagram_editing.save_draft(
            db, owner, "core_group", '<!DOCTYPE x []><x id="core_group"/>', clock.now()
        )
    diagram_editing.discard_draft(db, owner, "core_group", clock.now())
    assert db.scalar(select(DiagramDraft)) is None


def test_only_process_owners_edit(db, clock):
    admin = make_user(db, "admin", "administrator", team=None)
    with pytest.raises(NotAllowed):
        diagram_editing.save_draft(db, admin, "core_group", CORE_GROUP, clock.now())
    with pytest.raises(NotAllowed):
        diagram_editing.deploy(db, admin, "core_group", CORE_GROUP, "x", form_exists, clock.now())


# ---- diff -----------------------------------------------------------------------------


def test_the_diff_names_changed_added_and_removed_elements():
    changed = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 28)").replace(
        'name="Record the core group meeting"', 'name="Record the meeting"'
    )
    changes = {c.element: c for c in diagram_diff.compare(CORE_GROUP, changed)}
    assert set(changes) == {"next_meeting", "core_group_meeting"}
    assert changes["next_meeting"].kind == "changed"
    assert "add_days(core_group_date, 28)" in changes["next_meeting"].details[0]
    assert diagram_diff.compare(TWO_STEPS, TWO_STEPS) == []
    stray = TWO_STEPS.replace(
        '<bpmn:endEvent id="done">',
        '<bpmn:task id="stray" name="Stray"/><bpmn:endEvent id="done">',
    )
    [added] = diagram_diff.compare(TWO_STEPS, stray)
    [removed] = diagram_diff.compare(stray, TWO_STEPS)
    assert (added.element, added.kind, added.label) == ("stray", "added", "Stray")
    assert (removed.element, removed.kind) == ("stray", "removed")


def test_a_function_the_product_does_not_have_is_refused():
    foreign = TWO_STEPS.replace(
        "due_date = add_working_days(start_date, 2)",
        'due_date = add_working_days(start_date, 2)\nexecution_set_variable("x", due_date)',
    )
    [(element, message)] = problems(foreign)
    assert element == "compute_due"
    assert "calls execution_set_variable(), which diagrams cannot use" in message
