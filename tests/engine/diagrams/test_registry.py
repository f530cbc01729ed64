import pytest

from engine.diagrams import registry
from engine.models.processes import latest_versions
from engine.platform.errors import InvalidDiagram
from tests.factories import TEST_DIAGRAMS, deploy_test_diagram, make_staff

TWO_STEPS = (TEST_DIAGRAMS / "two_steps.bpmn").read_text()


def parse(xml: str, name="two_steps.bpmn"):
    return registry.parse(xml.encode(), name)


def test_a_valid_diagram_parses_with_its_process_and_name():
    diagram = parse(TWO_STEPS)
    assert diagram.process_id == "two_steps"
    assert diagram.name == "Two steps"
    assert len(diagram.content_hash) == 64


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("Team manager", "Tea lady"), "lane “Tea lady” is not one of the product's roles"),
        (("deadline(due_date)", "PT1S"), "timer “PT1S” fails on sample data"),
        (("deadline(due_date)", "due_date"), "without a UTC offset"),
        (
            ("add_working_days(start_date, 2)", "add_working_days(start_date, 2"),
            "script does not compile",
        ),
        (
            ("due_date = add_working_days", "import os\ndue_date = add_working_days"),
            "cannot import",
        ),
        (
            ('name="formKey" value="test/second"', 'name="other" value="x"'),
            "needs a formKey property",
        ),
        (('name="dueDate" value="due_date"', 'name="dueDate" value="nonsense("'), "dueDate"),
        (('name="Do the second step"', f'name="{"x" * 201}"'), "longer than 200 characters"),
        (('name="Two steps"', f'name="{"x" * 201}"'), "the process: the name is longer"),
    ],
)
def test_problems_are_found_before_deploy(change, problem):
    with pytest.raises(InvalidDiagram) as caught:
        parse(TWO_STEPS.replace(*change))
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_malformed_xml_and_unknown_elements_are_refused():
    with pytest.raises(InvalidDiagram, match="not well-formed"):
        parse(TWO_STEPS[:-40])
    with pytest.raises(InvalidDiagram):
        parse(
            TWO_STEPS.replace(
                '<bpmn:endEvent id="done">', '<bpmn:nonsense id="x"/><bpmn:endEvent id="done">'
            )
        )


def test_entities_and_doctypes_are_refused():
    hostile = TWO_STEPS.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    )
    with pytest.raises(InvalidDiagram, match="DOCTYPE"):
        parse(hostile)


def test_oversized_files_are_refused():
    with pytest.raises(InvalidDiagram, match="larger than"):
        registry.parse(b" " * (registry.MAX_DIAGRAM_BYTES + 1))


def test_form_keys_must_have_a_form_when_forms_are_checked():
    with pytest.raises(InvalidDiagram, match="no form definition"):
        registry.parse(TWO_STEPS.encode(), "two_steps.bpmn", form_exists=lambda key: False)


def test_deploying_the_same_content_twice_keeps_one_version(db):
    make_staff(db)
    first = deploy_test_diagram(db, "two_steps")
    again = deploy_test_diagram(db, "two_steps")
    assert again.id == first.id
    assert first.deployed_by == "tests"
    assert first.deployed_at is not None


def test_a_changed_diagram_is_a_new_version_and_going_back_is_another(db):
    v1 = deploy_test_diagram(db, "two_steps")
    changed = parse(TWO_STEPS.replace("Do the second step", "Do step two"))
    v2, new = registry.deploy(db, changed, "po")
    db.commit()
    assert new and v2.id != v1.id
    v3, new = registry.deploy(db, parse(TWO_STEPS), "po")
    db.commit()
    assert new and v3.id not in (v1.id, v2.id)
    assert [v.id for v in latest_versions(db)] == [v3.id]


def test_spec_cache_parses_each_version_once(db, monkeypatch):
    version = deploy_test_diagram(db, "two_steps")
    cache = registry.SpecCache()
    calls = []
    real_parse = registry.parse
    monkeypatch.setattr(registry, "parse", lambda *a, **k: calls.append(1) or real_parse(*a, **k))
    first = cache.get(db, version.id)
    second = cache.get(db, version.id)
    assert first is second
    assert len(calls) == 1


def test_tasks_inside_a_subprocess_keep_their_own_lanes():
    from tests.factories import PROCESSES

    diagram = registry.parse((PROCESSES / "icpc.bpmn").read_bytes(), "icpc.bpmn")
    inner = diagram.subprocess_specs["conference"].task_specs
    assert inner["book_conference"].lane == "Business support"
    assert inner["social_worker_report"].lane == "Social worker"
    assert inner["hold_conference"].lane == "Conference chair"


def test_a_post_script_that_imports_is_refused_before_deploy():
    properties_end = '<spiffworkflow:property name="assignee" value="social_worker"/>'
    bad = TWO_STEPS.replace(
        properties_end,
        properties_end + "</spiffworkflow:properties>"
        "<spiffworkflow:postScript>import os</spiffworkflow:postScript><spiffworkflow:properties>",
        1,
    )
    assert bad != TWO_STEPS
    with pytest.raises(InvalidDiagram) as error:
        registry.parse(bad, "two_steps.bpmn")
    assert "post-script does not compile: scripts cannot import modules" in str(error.value)
