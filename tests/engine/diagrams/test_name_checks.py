"""Names a diagram's code reads are checked before deploy, on the element that reads them."""

import pytest

from engine.casework import case_data
from engine.diagrams import registry
from engine.platform.errors import InvalidDiagram
from forms import exists
from tests.factories import PROCESSES, make_child, make_staff

CORE_GROUP = (PROCESSES / "core_group.bpmn").read_text()
SCRIPT = "meeting_id = open_core_group(plan_id, core_group_due_date, core_group_number)"
DUE = 'name="dueDate" value="core_group_due_date"'
TIMER = "deadline(core_group_due_date)</bpmn:timeDate>"
CONDITION = "core_group_date &gt; core_group_due_date</bpmn:conditionExpression>"
REMIND = 'remind("core_group_meeting", core_group_due_date)'
DATEE = "core_group_due_datee"


def problems(xml: str, process_id="core_group") -> list:
    with pytest.raises(InvalidDiagram) as caught:
        registry.parse(xml.encode(), f"{process_id}.bpmn", exists)
    return caught.value.problems


@pytest.mark.parametrize("process_id", ["icpc", "rcpc", "core_group", "end_plan"])
def test_the_shipped_diagrams_check_clean(process_id):
    xml = (PROCESSES / f"{process_id}.bpmn").read_bytes()
    assert registry.parse(xml, f"{process_id}.bpmn", exists).process_id == process_id


@pytest.mark.parametrize(
    ("original", "what", "element"),
    [
        (SCRIPT, "script", "open_meeting"),
        (DUE, "dueDate", "core_group_meeting"),
        (TIMER, "timer", "core_group_meeting_overdue"),
        (CONDITION, "condition", "core_group_late_gw"),
    ],
)
def test_a_misspelt_name_is_flagged_on_its_element_with_the_nearest_name(original, what, element):
    xml = CORE_GROUP.replace(original, original.replace("core_group_due_date", DATEE), 1)
    assert xml != CORE_GROUP
    found = [p for p in problems(xml) if DATEE in p]
    assert [p.element for p in found] == [element]
    assert f": {what} reads “{DATEE}”" in found[0]
    assert found[0].endswith("did you mean “core_group_due_date”?")


def test_a_call_that_does_not_fit_its_function_is_flagged():
    found = problems(CORE_GROUP.replace(REMIND, "remind()"))
    [problem] = [p for p in found if "remind()" in p]
    assert problem.element == "core_group_meeting_remind_notify"
    assert "remind(step, due_date, what=None)" in problem
    assert "missing a required argument: 'step'" in problem


def test_a_module_is_flagged_as_something_diagrams_cannot_use():
    found = problems(CORE_GROUP.replace(SCRIPT, f'{SCRIPT}\nos.system("id")'))
    [problem] = [p for p in found if "“os”" in p]
    assert problem.element == "open_meeting"
    assert "diagrams cannot use modules or files" in problem


def test_an_unknown_setting_is_flagged_with_the_nearest_setting():
    wrong = 'setting("reminder_working_day_before_due")'
    xml = CORE_GROUP.replace('setting("reminder_working_days_before_due")', wrong)
    [problem] = [p for p in problems(xml) if "is not a council setting" in p]
    assert problem.element == "core_group_meeting_remind"
    assert problem.endswith("did you mean “reminder_working_days_before_due”?")


def test_a_field_of_a_later_form_is_not_known_before_that_form():
    xml = CORE_GROUP.replace(SCRIPT, f"{SCRIPT}\nwhen = core_group_date")
    [problem] = [p for p in problems(xml) if "core_group_date”" in p]
    assert problem.element == "open_meeting"
    assert "only a step that cannot have run before this one sets" in problem


def test_names_bound_by_the_code_itself_are_known():
    script = f"{SCRIPT}\ntotal = sum(n for n in [1, 2])\nfor k in [1]:\n    last = k + total"
    registry.parse(CORE_GROUP.replace(SCRIPT, script).encode(), "core_group.bpmn", exists)


def test_the_case_facts_are_what_a_workflow_starts_with(db, engine):
    staff = make_staff(db)
    child = make_child(db, engine, staff["sw"])
    assert tuple(case_data.for_child(db, child)) == case_data.FACTS
