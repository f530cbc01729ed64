"""A process owner makes a form, copies core groups on the "Make a new process" page, adds a step
using the form to the copy, deploys it and moves a case; the social worker meets the new step,
with a validation message first."""

from __future__ import annotations

from engine.diagrams.new_processes import renamed
from engine.models import HumanTask, ProcessInstance
from engine.models.forms import pins_of
from engine.models.instances import DONE, READY, tasks_of
from engine.models.processes import latest_version, versions_of
from tests.browser.conftest import browser_sign_in
from tests.factories import PROCESSES, make_user
from tests.processes.driver import Case, on_a_plan

KEY = "plan/childrens_meeting"
COPY = "core_group_copy"
STEP = (
    '<bpmn:userTask id="childrens_meeting" name="Record the children\'s meeting">'
    "<bpmn:extensionElements><spiffworkflow:properties>"
    '<spiffworkflow:property name="assignee" value="social_worker"/>'
    "</spiffworkflow:properties></bpmn:extensionElements>"
    "<bpmn:incoming>flow_core_group_meeting_to_next_meeting</bpmn:incoming>"
    "<bpmn:outgoing>flow_childrens_meeting_to_next_meeting</bpmn:outgoing></bpmn:userTask>"
    '<bpmn:sequenceFlow id="flow_childrens_meeting_to_next_meeting" '
    'sourceRef="childrens_meeting" targetRef="next_meeting"/>'
)
SHAPES = (
    '<bpmndi:BPMNShape id="childrens_meeting_di" bpmnElement="childrens_meeting">'
    '<dc:Bounds x="730" y="160" width="110" height="70"/></bpmndi:BPMNShape>'
    '<bpmndi:BPMNEdge id="flow_childrens_meeting_to_next_meeting_di" '
    'bpmnElement="flow_childrens_meeting_to_next_meeting">'
    '<di:waypoint x="785" y="160"/><di:waypoint x="785" y="140"/></bpmndi:BPMNEdge>'
)


def with_new_step() -> bytes:
    """The copy of core_group.bpmn with an unfinished step (no form yet) after the meeting."""
    xml = (PROCESSES / "core_group.bpmn").read_text()
    xml = xml.replace(
        'sourceRef="core_group_meeting" targetRef="next_meeting"',
        'sourceRef="core_group_meeting" targetRef="childrens_meeting"',
    )
    xml = xml.replace(
        "<bpmn:incoming>flow_core_group_meeting_to_next_meeting</bpmn:incoming>\n"
        "      <bpmn:outgoing>flow_next_meeting_to_core_group_late_gw</bpmn:outgoing>",
        "<bpmn:incoming>flow_childrens_meeting_to_next_meeting</bpmn:incoming>\n"
        "      <bpmn:outgoing>flow_next_meeting_to_core_group_late_gw</bpmn:outgoing>",
    )
    xml = xml.replace(
        "<bpmn:flowNodeRef>next_meeting</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>next_meeting</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>childrens_meeting</bpmn:flowNodeRef>",
    )
    xml = xml.replace("</bpmn:process>", STEP + "</bpmn:process>")
    xml = xml.replace("</bpmndi:BPMNPlane>", SHAPES + "</bpmndi:BPMNPlane>")
    xml = xml.replace(
        '<di:waypoint x="755" y="105"/>\n        <di:waypoint x="755" y="105"/>\n'
        '        <di:waypoint x="780" y="105"/>',
        '<di:waypoint x="715" y="105"/><di:waypoint x="715" y="195"/>'
        '<di:waypoint x="730" y="195"/>',
    )
    return renamed(xml.encode("utf-8"), "core_group", COPY, "Core group (our copy)").encode()


def add_field(page, label, name, kind, **extra):
    page.get_by_role("button", name="Add a field").click()
    page.get_by_label("Question or label").fill(label)
    page.get_by_label("Name in the data").fill(name)
    page.get_by_label("Type").select_option(kind)
    for field, value in extra.items():
        if field == "required":
            page.get_by_label("An answer is required").check()
        elif field == "not_future":
            page.get_by_label("Today or in the past").check()
        else:
            page.get_by_label(field).fill(value)
    page.get_by_role("button", name="Save the field").click()


def test_a_new_form_in_a_new_step_reaches_the_social_worker(db, engine, clock, browser_page):
    case = Case(db, engine, clock, reload=True)
    on_a_plan(case)
    [core_group] = case.instances("core_group")
    make_user(db, "owner", "process_owner", team=None)
    page, errors = browser_page, []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_sign_in(page, "owner")

    # 1. The form: a date, radios with a conditional text, a repeating list.
    page.goto("/forms")
    page.get_by_label("Form name").fill(KEY)
    page.get_by_label("Title people see").fill("Children's meeting")
    page.get_by_role("button", name="Create the form").click()
    add_field(page, "Date of the meeting", "meeting_date", "date", required=1, not_future=1)
    add_field(page, "Did the child come", "child_came", "radios", required=1,
              **{"Options (radios, select, checkboxes)": "yes | Yes\nno | No"})  # fmt: skip
    add_field(page, "Why not", "why_not", "textarea",
              **{"Name of the other field": "child_came", "Its value": "no"})  # fmt: skip
    add_field(page, "Who else came", "others", "list",
              **{"What each row is called (repeating lists)": "Person"})  # fmt: skip
    page.locator("#fields code").nth(3).wait_for()  # the last save's page has loaded
    assert page.locator("#fields code").all_inner_texts() == [
        "meeting_date", "child_came", "why_not", "others"
    ]  # fmt: skip

    # 2. A copy of core groups, made on the "Make a new process" page, started from diagrams;
    # a case is started on its version 1 (as a diagram would, with core groups' data).
    page.goto("/diagrams/new")
    page.get_by_label("Name", exact=True).fill("Core group (our copy)")
    page.get_by_label("Process id").fill(COPY)
    page.get_by_label("A copy of a deployed process").check()
    page.get_by_label("Process to copy").select_option("core_group")
    page.get_by_label("For a child, from the child's page").uncheck()
    page.get_by_label("From another diagram").check()
    page.get_by_role("button", name="Make the process").click()
    page.wait_for_url(f"**/diagrams/{COPY}/edit")
    db.expire_all()
    [first] = versions_of(db, COPY)
    data = engine.instance_data(db, core_group)
    on_copy = engine.start(db, COPY, None, data, child_id=case.child.id)
    assert on_copy.version_id == first.id

    # 3. The step, from a file, given the form in the editor's properties.
    page.wait_for_selector("body[data-editor-ready=true]")
    page.locator("#file").set_input_files(
        {"name": f"{COPY}.bpmn", "mimeType": "application/xml", "buffer": with_new_step()}
    )
    page.get_by_role("button", name="Open file").click()
    page.wait_for_selector("body[data-editor-ready=true]")
    page.locator('g.djs-element[data-element-id="childrens_meeting"]').click()
    form = page.get_by_label("Form", exact=True)
    form.fill(KEY)
    form.blur()
    page.get_by_role("button", name="Check the diagram").click()
    page.locator("#valid-banner").wait_for(state="visible")

    # 4. Deploy, and move the case running on the copy onto the new version.
    page.get_by_label("Why are you making this change?").fill("Record the children's meeting")
    page.get_by_role("button", name="Deploy as a new version").click()
    page.wait_for_url(f"**/diagrams/{COPY}/migrate?to=*")
    page.get_by_role("button", name="Check which cases can move").click()
    page.get_by_role("button", name="Move 1 case to version 2").click()
    page.wait_for_load_state()
    db.expire_all()
    version = latest_version(db, COPY)
    assert db.get(ProcessInstance, on_copy.id).version_id == version.id
    assert KEY in pins_of(db, version.id)

    # 5. The social worker records the copy's meeting, and meets the new step.
    case.at("2027-01-22 10:00")
    [meeting] = [t for t in tasks_of(db, on_copy.id) if t.state == READY]
    case.do("core_group_meeting", actor="sw", task=meeting, core_group_date="2027-01-22")
    task = case.ready()["childrens_meeting"]
    page.context.clear_cookies()
    browser_sign_in(page, "sw")
    page.goto(f"/tasks/{task.id}")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("radio", name="No").check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "Date of the meeting must be a real date" in summary and "Enter why not" in summary
    page.get_by_label("Day").fill("22")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Why not").fill("Unwell on the day")
    page.get_by_label("Item (Person 1)").fill("Grandmother")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    db.expire_all()
    assert db.get(HumanTask, task.id).state == DONE
    data = engine.task_data(db, db.get(HumanTask, task.id))
    assert data["why_not"] == "Unwell on the day" and data["others"] == [{"item": "Grandmother"}]
    assert errors == []
