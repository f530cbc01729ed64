"""Foreign files and the editor's care with unsaved work, in a real browser."""

from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import browser_sign_in
from tests.factories import deploy_processes, make_user

FOREIGN = Path(__file__).resolve().parents[1] / "engine" / "diagrams" / "foreign"


def open_file(page, path: Path) -> None:
    page.goto("/diagrams/core_group/edit")
    page.wait_for_selector("body[data-editor-ready=true]")
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Open file").click()
    page.wait_for_load_state()


def test_a_non_executable_file_is_viewable_and_can_be_made_executable(db, browser_page):
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_sign_in(page, "owner")
    open_file(page, FOREIGN / "bpmnio_not_executable.bpmn")
    page.get_by_role("button", name="Open it as Core group meeting").click()
    page.wait_for_selector("body[data-editor-ready=true]")
    assert "marked as not executable" in page.locator("#problem-list").inner_text()
    offer = page.locator("#make-executable")
    assert offer.is_visible() and "“Home visit”" in offer.inner_text()
    assert page.locator('g.djs-element[data-element-id="Activity_visit"]').is_visible()

    # The diagram sits to the right of the palette, not under it.
    palette = page.locator(".djs-palette").bounding_box()
    start = page.locator('g.djs-element[data-element-id="StartEvent_1"]').bounding_box()
    assert start["x"] > palette["x"] + palette["width"]

    offer.get_by_role("button", name="Make it executable").click()
    page.locator("#valid-banner").wait_for(state="visible")
    assert not offer.is_visible()

    # Unsaved: leaving asks first (the browser's own dialog, dismissed here to stay).
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="Back to diagrams").click()
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/diagrams/core_group/upload/confirmed")

    # Saved as a draft: no question on leaving.
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/diagrams/core_group/edit")
    page.wait_for_selector("body[data-editor-ready=true]")
    page.get_by_role("link", name="Back to diagrams").click()
    page.wait_for_url("**/diagrams")
    assert dialogs == ["beforeunload"]
    assert errors == []


def test_a_file_with_an_undeclared_prefix_is_refused_and_the_page_answers(db, browser_page):
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    page = browser_page
    browser_sign_in(page, "owner")
    open_file(page, FOREIGN / "signavio_undeclared_prefix.bpmn")
    page.wait_for_selector("body[data-editor-ready=true]")
    assert "never declares" in page.locator("#problem-list").inner_text()
    assert page.locator('g.djs-element[data-element-id="open_meeting"]').count() == 1
