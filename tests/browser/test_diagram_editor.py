"""A process owner changes the core group interval in the browser and moves the running case."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.diagrams import diagram_editing
from engine.models import ProcessInstance
from engine.models.processes import latest_version
from forms import exists as form_exists
from tests.browser.conftest import browser_sign_in
from tests.factories import PROCESSES, deploy_processes, make_user
from tests.processes.driver import Case, on_a_plan

OLD = '7 * setting("core_group_interval_weeks")'


def change_script(page, old: str, new: str) -> None:
    field = page.get_by_label("Script")
    field.fill(field.input_value().replace(old, new))
    field.blur()


def test_the_owner_edits_checks_deploys_and_moves_running_cases(db, engine, clock, browser_page):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    [running] = case.instances("core_group")
    old_version = running.version_id
    make_user(db, "owner", "process_owner", team=None)
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    browser_sign_in(page, "owner")
    page.get_by_role("link", name="Diagrams").click()
    page.get_by_role("link", name="Edit Core group meeting").click()
    page.wait_for_selector("body[data-editor-ready=true]")

    # A broken change: the check names the step, in the summary and on the canvas.
    page.locator('g.djs-element[data-element-id="next_meeting"]').click()
    change_script(page, OLD, "4 *")
    page.get_by_role("button", name="Check the diagram").click()
    summary = page.locator("#problems")
    summary.wait_for(state="visible")
    assert "(next_meeting): script does not compile" in summary.inner_text()
    assert page.locator('.app-problem-badge[data-problem-for="next_meeting"]').is_visible()

    # Fixed: every four weeks. The problem in the summary leads back to the step.
    summary.get_by_role("link").click()
    change_script(page, "4 *", "28")
    page.get_by_role("button", name="Check the diagram").click()
    page.locator("#valid-banner").wait_for(state="visible")
    assert not summary.is_visible()
    assert page.locator(".app-problem-badge").count() == 0

    page.get_by_label("Why are you making this change?").fill("Core groups every 4 weeks")
    page.get_by_role("button", name="Deploy as a new version").click()
    page.wait_for_url("**/diagrams/core_group/migrate?to=*")
    new_version = latest_version(db, "core_group")
    assert new_version.id != old_version and new_version.comment == "Core groups every 4 weeks"
    assert "add_days(core_group_date, 28)" in new_version.bpmn_xml
    banner = page.locator(".govuk-notification-banner")
    assert new_version.number == 2
    assert "Version 2 deployed" in banner.inner_text()

    # Dry run, then move.
    page.get_by_role("button", name="Check which cases can move").click()
    assert page.locator("#dry-run-heading").inner_text() == ("Check: 1 of 1 can move to version 2")
    page.get_by_role("button", name="Move 1 case to version 2").click()
    page.wait_for_load_state()
    assert "1 moved to version" in page.locator(".govuk-notification-banner").inner_text()
    assert errors == []

    db.expire_all()
    moved = db.get(ProcessInstance, running.id)
    assert moved.version_id == new_version.id
    # The moved case follows the new interval: the next meeting is four weeks on.
    case.do("core_group_meeting", core_group_date="2027-01-22")
    assert case.ready()["core_group_meeting"].due_on == date(2027, 2, 19)
    instances = db.scalars(
        select(ProcessInstance).where(ProcessInstance.process_id == "core_group")
    ).all()
    assert [i.version_id for i in instances] == [new_version.id, new_version.id]


def test_the_diff_colours_the_changed_step_on_both_versions(db, clock, browser_page):
    deploy_processes(db)
    owner = make_user(db, "owner", "process_owner", team=None)
    changed = (PROCESSES / "core_group.bpmn").read_text().replace(OLD, "4")
    diagram_editing.deploy(db, owner, "core_group", changed, "4 weeks", form_exists, clock.now())
    page = browser_page
    browser_sign_in(page, "owner")
    page.goto("/diagrams/core_group/versions")
    page.get_by_role("link", name="Compare with version").first.click()
    page.wait_for_selector("body[data-diff-ready=true]")
    for canvas in ("#old-canvas", "#new-canvas"):
        step = page.locator(f'{canvas} g.djs-element[data-element-id="next_meeting"]')
        assert "app-diff-changed" in step.get_attribute("class")
    assert page.locator("#changes tr[data-element]").count() == 1
