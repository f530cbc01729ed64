"""The main journeys in a real browser: business support books an ICPC, an agency professional
sends a report, the chair records the conference and decision, a manager sees the dashboard
move and the instance diagram highlighted. Each page is saved as a screenshot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.models import Conference
from tests.browser.conftest import browser_sign_in
from tests.browser.journeys import fill_date, shot
from tests.processes.driver import Case


@pytest.fixture
def case(db, engine, clock):
    """A child with an ICPC started on 18 December 2026 and its strategy discussion recorded."""
    case = Case(db, engine, clock, reload=True)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    return case


def invited(case: Case) -> None:
    """The conference booked for 11 January 2027 and the invitations sent (police among them)."""
    case.at("2027-01-04 09:00")
    case.do("book_conference")
    case.do("send_invitations")


def test_business_support_books_the_icpc(browser_page, case):
    page = browser_page
    case.at("2027-01-04 09:00")
    browser_sign_in(page, "bs")
    shot(page, "01-business-support-inbox")
    page.get_by_role("link", name="Book the conference").click()
    expect(page.locator("h1")).to_have_text("Book the conference")
    expect(page.locator("#task-context")).to_contain_text("Amara Okoye")
    fill_date(page, "conference_date", "2027-01-11")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Venue or call details").fill("Civic Centre, room 2")
    page.get_by_label("Independent chair").select_option("chair")
    shot(page, "02-book-the-conference")
    page.get_by_role("button", name="Book the conference").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")
    expect(page.locator("#inbox")).to_contain_text("Send the invitations")
    shot(page, "03-business-support-inbox-after-booking")


def test_a_bad_date_keeps_the_answers_and_a_draft_can_be_saved(browser_page, case):
    page = browser_page
    case.at("2027-01-04 09:00")
    browser_sign_in(page, "bs")
    page.get_by_role("link", name="Book the conference").click()
    fill_date(page, "conference_date", "2027-02-30")
    page.get_by_label("Venue or call details").fill("Civic Centre, room 2")
    page.get_by_role("button", name="Book the conference").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page.get_by_label("Venue or call details")).to_have_value("Civic Centre, room 2")
    shot(page, "04-book-the-conference-errors")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#draft-notice")).to_be_visible()
    page.goto("/inbox")
    expect(page.locator("#inbox")).to_contain_text("Draft saved")


def test_an_agency_professional_submits_their_report(browser_page, case):
    page = browser_page
    invited(case)
    browser_sign_in(page, "police")
    shot(page, "05-agency-inbox")
    page.locator("#inbox a", has_text=re.compile("report", re.I)).first.click()
    expect(page.locator("h1")).to_have_text("Submit the agency report")
    fill_date(page, "report_submitted_date", "2027-01-04")
    page.get_by_label("Summary of the report").fill("Two call-outs to the address this year.")
    shot(page, "06-agency-report")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")
    expect(page.locator("#empty")).to_be_visible()
    page.goto(f"/children/{case.child.id}")
    expect(page.locator("#invited-notice")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("You sent: Agency report")
    shot(page, "07-agency-view-of-the-child")


def test_the_chair_records_the_conference_and_decision(browser_page, case):
    page = browser_page
    invited(case)
    case.at("2027-01-11 15:00")
    browser_sign_in(page, "chair")
    page.get_by_role("link", name=re.compile("Hold the conference")).click()
    fill_date(page, "held_date", "2027-01-11")
    page.locator("input[name=social_care_attended][value=yes]").check()
    expect(page.locator("input[name='attendance-2-name']")).to_have_value("Robin Hall (Police)")
    for row, how in enumerate(("attended", "apologies", "attended", "attended")):
        page.locator(f"input[name='attendance-{row}-attendance'][value={how}]").check()
    for label, text in (
        ("Harm and danger", "Repeated missed medical appointments."),
        ("Strengths", "Grandmother visits daily."),
        ("Safety and protective factors", "School attendance is good."),
        ("The child's views", "Wants to stay at home."),
        ("The parents' or carers' views", "Accept help with routines."),
        ("Safety plan", "Grandmother to attend appointments with mother."),
    ):
        page.get_by_label(label, exact=True).fill(text)
    page.locator("input[name=decision][value=cp_plan]").check()
    page.locator("input[name=category][value=NEG]").check()
    page.get_by_label("Reasons for the decision", exact=True).fill("Neglect continues.")
    page.get_by_label("Lead social worker for the plan").select_option("sw")
    page.get_by_label("What the plan must achieve", exact=True).fill("Health needs met.")
    shot(page, "08-hold-the-conference")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is done")
    page.goto(f"/children/{case.child.id}")
    expect(page.locator("#timeline")).to_contain_text("Decision: child protection plan (Neglect)")
    expect(page.locator("#timeline")).to_contain_text("Initial conference held")
    shot(page, "09-the-child-after-the-conference")


def test_a_manager_sees_the_dashboard_move_and_the_diagram_highlighted(browser_page, case):
    page = browser_page
    invited(case)
    case.at("2027-01-11 15:00")
    browser_sign_in(page, "tm")
    page.get_by_role("link", name="Dashboard").click()
    figure = page.locator("#figure-icpc_str_child")
    expect(figure).to_contain_text("None held")
    shot(page, "10-dashboard-before")
    case.do("hold_conference")
    page.reload()
    expect(figure).to_contain_text("1 of 1 children")
    expect(figure).to_contain_text("100.0%")
    shot(page, "11-dashboard-after")
    figure.get_by_role("link").click()
    expect(page.locator("#figure-rows")).to_contain_text("Amara Okoye")
    page.get_by_role("link", name="Process instances").click()
    page.locator("#instances a", has_text="ICPC-").first.click()
    diagram = page.locator("#instance-diagram")
    expect(diagram).to_have_attribute("data-drawn", re.compile(r"^\d+$"))
    assert page.locator("#instance-diagram .app-state-completed").count() >= 3
    assert page.locator("#instance-diagram .app-state-active").count() >= 1
    shot(page, "12-instance-diagram")


def test_business_support_moves_a_booked_conference(browser_page, case):
    page = browser_page
    invited(case)
    case.at("2027-01-06 10:00")
    browser_sign_in(page, "bs")
    conference = case.db.scalars(select(Conference)).one()
    page.goto(f"/conferences/{conference.id}")
    page.get_by_role("link", name="Move the conference").click()
    expect(page.locator("h1")).to_have_text("Move the conference")
    fill_date(page, "conference_date", "2027-01-12")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Venue or call details").fill("Town Hall, room 4")
    page.get_by_label("Why the conference is moved").fill("The mother is in hospital.")
    shot(page, "12-move-the-conference")
    page.get_by_role("button", name=re.compile("Move the conference")).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("moved")
    expect(page.locator("main")).to_contain_text("12 January 2027 at 14:00")


def test_a_social_worker_joins_a_sister_to_her_brother_s_conference(browser_page, case):
    """Brothers and sisters recorded on the child's page, then seen at one family conference."""
    page = browser_page
    invited(case)
    ada = case.sibling("Ada")
    ada.start()
    ada.do("record_strategy_discussion")
    browser_sign_in(page, "sw")
    page.goto(f"/children/{case.child.id}")
    page.get_by_label("Record a brother or sister").fill(ada.child.reference)
    page.get_by_role("button", name="Record brother or sister").click()
    expect(page.locator("#siblings")).to_contain_text("Ada Okoye")
    own = case.db.scalars(select(Conference).where(Conference.child_id == ada.child.id)).one()
    page.goto(f"/conferences/{own.id}")
    page.get_by_label(re.compile(r"Amara Okoye: Initial conference")).check()
    shot(page, "13-join-the-family-conference")
    page.get_by_role("button", name="Join the family conference").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("family conference")
    expect(page.locator("#family-conference")).to_contain_text("Amara Okoye")
    expect(page.locator("main")).to_contain_text("11 January 2027")
