"""Every page each demo role and a family link reach, at 320 and at 1280 CSS pixels: no
serious or critical WCAG 2.2 A/AA violation (axe-core), no sideways scrolling at 320 and
nothing in the console (`page_checks`). Pages of one kind (a conference, a figure) are
checked once; the inbox, a child and a task once for each role, as they differ by role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.diagrams import diagram_editing
from engine.models.child_conferences import people_for_child
from engine.models.conferences import Conference
from engine.models.people import Child, user_by_username
from forms import exists as form_exists
from tests import demo_copy
from tests.browser.conftest import browser_sign_in
from tests.browser.journeys import shot, with_axe
from tests.browser.page_checks import NARROW, WIDE, Checker
from tests.factories import PROCESSES
from webui import demo

# One user for each demo role.
USERNAMES = ("sw1", "tm1", "sm1", "chair1", "bs1", "police1", "po1", "admin")


@pytest.fixture
def demo_data(db, engine, live_server):
    demo_copy.load(db, engine)


def second_core_group_version(db, engine) -> None:
    """A changed core group diagram, so the versions page offers a comparison."""
    owner = user_by_username(db, "po1")
    changed = (
        (PROCESSES / "core_group.bpmn")
        .read_text()
        .replace('core_group_interval_weeks")', 'core_group_interval_weeks") - 7')
    )
    now = engine.clock.now()
    diagram_editing.deploy(db, owner, "core_group", changed, "Sooner", form_exists, now)


def finn(db) -> tuple[Child, Conference]:
    """The demo child whose conference has reports, a Word file, family links and feedback."""
    child = db.scalars(select(Child).where(Child.given_name == "Finn")).one()
    conference = db.scalars(
        select(Conference).where(Conference.child_id == child.id, Conference.kind == "icpc")
    ).one()
    return child, conference


def family_link(db, engine) -> str:
    """A fresh link for the demo mother to give her feedback on the conference."""
    child, conference = finn(db)
    mother = next(p for p in people_for_child(db, child.id) if p.name == "Parent One")
    return family_links.issue(
        db,
        user_by_username(db, "sw1"),
        conference,
        mother.id,
        family_links.PARENT_FEEDBACK,
        "parent.one@example.invalid",
        engine.clock.now(),
    )


def test_every_page_fits_a_phone_and_passes_axe(browser_page, demo_data, db, engine):
    page = browser_page
    with_axe(page)
    checker = Checker(page)
    second_core_group_version(db, engine)
    for path in (f"/family/{family_link(db, engine)}", "/accessibility", "/sign-in"):
        checker.visit(path, "nobody signed in")
    checker.visit("/family/not-a-link", "nobody signed in", status=404)
    child, conference = finn(db)
    # His social worker's walk starts on his pages: the richest of each kind.
    richest = [f"/children/{child.id}", f"/conferences/{conference.id}"]
    seen: set[str] = set()
    for username in USERNAMES:
        browser_sign_in(page, username, demo.PASSWORD)
        checker.walk(username, seen, ["/inbox", *(richest if username == "sw1" else [])])
        if username == "sw1":  # a staff error page
            checker.visit("/children/999999", username, status=404)
        page.context.clear_cookies()
    assert checker.visited > 40
    assert not checker.problems, "\n".join(checker.problems)


def test_on_a_phone_each_inbox_row_is_a_list_of_cells_named_by_column(browser_page, demo_data):
    page = browser_page
    page.set_viewport_size({"width": NARROW, "height": 800})
    browser_sign_in(page, "sw1", demo.PASSWORD)
    shot(page, "inbox-at-320")
    header = page.locator("#inbox thead")
    height = "h => h.getBoundingClientRect().height"
    assert header.evaluate(height) <= 1  # visually hidden; the cells name their columns
    first = page.locator("#inbox tbody tr").first.locator("td")
    assert [first.nth(i).get_attribute("data-label") for i in range(4)] == [
        "Task",
        "Child",
        "Due",
        "With",
    ]
    assert page.locator("#inbox").get_attribute("role") == "table"
    label = first.nth(1).evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Child: "'
    page.set_viewport_size({"width": WIDE, "height": 800})
    assert header.evaluate(height) > 20
