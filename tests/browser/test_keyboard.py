"""The main journeys with the keyboard only: every stop shows its focus, focus moves on, and
each form is filled and sent without a mouse (`keyboard.py`). A parent's secure link is also
used with text at 200% on a phone; the diagram editor's properties and problems by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.casework import family_links
from engine.models import Conference
from tests.browser.journeys import shot, with_axe
from tests.browser.keyboard import (
    choose,
    larger_text,
    pick,
    press_on,
    sign_in,
    tab_to,
    type_date,
    type_into,
)
from tests.browser.page_checks import NARROW, Checker, wider_than
from tests.factories import PASSWORD, deploy_processes, make_user
from tests.processes.driver import Case, invited


@pytest.fixture
def case(db, engine, clock):
    """A child whose ICPC is booked for 11 January 2027, invitations sent (police among them)."""
    made = Case(db, engine, clock, reload=True)
    invited(made)
    return made


def test_business_support_books_the_conference_by_keyboard(browser_page, db, engine, clock):
    case = Case(db, engine, clock, reload=True)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-04 09:00")
    page = browser_page
    sign_in(page, "bs", PASSWORD)
    press_on(page, page.get_by_role("link", name="Book the conference"))
    expect(page.locator("h1")).to_have_text("Book the conference")
    type_date(page, "conference_date", "2027-01-11")
    type_into(page, page.get_by_label("Start time"), "10:00")
    type_into(page, page.get_by_label("Venue or call details"), "Civic Centre, room 2")
    pick(page, page.get_by_label("Independent chair"), "chair")
    press_on(page, page.get_by_role("button", name="Book the conference"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")


def test_an_agency_professional_sends_their_report_by_keyboard(browser_page, case):
    page = browser_page
    sign_in(page, "police", PASSWORD)
    press_on(page, page.locator("#inbox a", has_text=re.compile("report", re.I)).first)
    expect(page.locator("h1")).to_have_text("Submit the agency report")
    type_date(page, "report_submitted_date", "2027-01-04")
    type_into(page, page.get_by_label("Summary of the report"), "Two call-outs this year.")
    press_on(page, page.get_by_role("button", name="Save and continue"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")


def test_the_chair_records_the_conference_by_keyboard(browser_page, case):
    case.at("2027-01-11 15:00")
    page = browser_page
    sign_in(page, "chair", PASSWORD)
    press_on(page, page.get_by_role("link", name=re.compile("Hold the conference")))
    type_date(page, "held_date", "2027-01-11")
    choose(page, "social_care_attended", "yes")
    names = page.locator("input[name^='attendance-'][name$='-name']")
    invited = [n for n in names.all() if n.input_value()]  # a blank row is for one more
    for row in range(len(invited)):
        choose(page, f"attendance-{row}-attendance", "attended")
    for label in (
        "Harm and danger",
        "Strengths",
        "Safety and protective factors",
        "The child's views",
        "The parents' or carers' views",
        "Safety plan",
    ):
        type_into(page, page.get_by_label(label, exact=True), f"{label}: recorded.")
    choose(page, "decision", "cp_plan")
    choose(page, "category", "NEG")
    type_into(page, page.get_by_label("Reasons for the decision", exact=True), "Neglect goes on.")
    pick(page, page.get_by_label("Lead social worker for the plan"), "sw")
    type_into(page, page.get_by_label("What the plan must achieve", exact=True), "Needs met.")
    press_on(page, page.get_by_role("button", name="Save and continue"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")
    # Back through the page with Shift+Tab: the skip link is reached, nothing traps focus.
    page.goto(f"/children/{case.child.id}")
    expect(page.locator("#timeline")).to_contain_text("Initial conference held")
    tab_to(page, page.get_by_role("link", name="Skip to main content"), backwards=True)


def test_a_parent_sends_their_report_by_keyboard_on_a_phone_with_large_text(browser_page, case):
    token = parent_link(case)
    page = browser_page
    with_axe(page)
    checker = Checker(page)
    page.set_viewport_size({"width": NARROW, "height": 700})
    page.goto(f"/family/{token}")
    larger_text(page)
    assert wider_than(page, NARROW) is None
    checker.check("the family's form", "a parent")
    shot(page, "family-form-320-text-200")
    strengths = page.get_by_label("What are the strengths in your family?")
    type_into(page, strengths, "We cook together.")
    press_on(page, page.get_by_role("button", name="Send my report"))
    expect(page.locator(".govuk-panel")).to_contain_text("Your answers have been sent")
    larger_text(page)
    assert wider_than(page, NARROW) is None
    checker.check("the family's done page", "a parent")
    assert not checker.problems, "\n".join(checker.problems)


def parent_link(case) -> str:
    """A secure link for the mother to send her report to the conference."""
    icpc = case.db.scalars(select(Conference).where(Conference.child_id == case.child.id)).one()
    mother = next(
        p for p in case.db.scalars(select(family_links.CasePerson)) if p.name == "Grace Okoye"
    )
    return family_links.issue(
        case.db,
        case.staff["sw"],
        icpc,
        mother.id,
        family_links.PARENT_REPORT,
        "grace@example.invalid",
        case.clock.now(),
    )


def test_the_diagram_editor_properties_and_problems_work_by_keyboard(browser_page, db):
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    page = browser_page
    sign_in(page, "owner", PASSWORD)
    page.goto("/diagrams/core_group/edit")
    page.wait_for_selector("body[data-editor-ready=true]")
    chooser = page.get_by_label("Part of the diagram")
    tab_to(page, chooser)
    step = chooser.locator("option", has_text="(script task)").first.get_attribute("value")
    pick(page, chooser, step)
    script = page.get_by_label("Script")
    expect(script).to_be_visible()
    tab_to(page, script)
    page.keyboard.press("Control+End")
    page.keyboard.type(" +")
    page.keyboard.press("Tab")  # leaving the field writes it to the diagram
    press_on(page, page.get_by_role("button", name="Check the diagram"), navigates=False)
    summary = page.locator("#problems")
    summary.wait_for(state="visible")
    # The problem's link leads straight to the step's fields.
    tab_to(page, chooser, backwards=True)
    page.keyboard.press("ArrowUp")  # another part: the problem's link chooses the step again
    expect(chooser).not_to_have_value(step)
    press_on(page, summary.get_by_role("link").first, navigates=False)
    expect(chooser).to_have_value(step)
    expect(page.get_by_label("Name")).to_be_focused()
    tab_to(page, script)
    page.keyboard.press("Control+End")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Tab")
    press_on(page, page.get_by_role("button", name="Check the diagram"), navigates=False)
    page.locator("#valid-banner").wait_for(state="visible")


def test_a_manager_follows_a_figure_to_the_instance_by_keyboard(browser_page, case):
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    page = browser_page
    sign_in(page, "tm", PASSWORD)
    press_on(page, page.get_by_role("link", name="Dashboard"))
    figure = page.locator("#figure-icpc_str_child")
    expect(figure).to_contain_text("1 of 1 children")
    press_on(page, figure.get_by_role("link"))
    expect(page.locator("#figure-rows")).to_contain_text("Amara Okoye")
    press_on(page, page.get_by_role("link", name="Process instances"), backwards=True)
    press_on(page, page.locator("#instances a", has_text="ICPC-").first)
    expect(page.locator("#instance-diagram")).to_have_attribute("data-drawn", re.compile(r"\d"))


def test_a_wrong_date_is_put_right_from_the_error_summary_by_keyboard(browser_page, case):
    page = browser_page
    sign_in(page, "police", PASSWORD)
    press_on(page, page.locator("#inbox a", has_text=re.compile("report", re.I)).first)
    type_date(page, "report_submitted_date", "2027-01-32")
    type_into(page, page.get_by_label("Summary of the report"), "Two call-outs this year.")
    press_on(page, page.get_by_role("button", name="Save and continue"))
    # The error summary takes focus; its link leads to the field at fault.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    press_on(page, page.locator(".govuk-error-summary a").first, navigates=False)
    page.keyboard.press("Control+a")
    page.keyboard.type("4")
    press_on(page, page.get_by_role("button", name="Save and continue"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")
