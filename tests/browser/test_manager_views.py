"""A manager reaches each work view in one click from the dashboard, and a child's
workflows in two (the link, then the search)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import browser_sign_in
from tests.processes.driver import Case, on_a_plan

VIEWS = {  # the dashboard's link: the page's heading
    "Overdue now": "Overdue now",
    "Escalated to you": "Escalated to you",
    "Your team's waiting steps": "Waiting steps: North",
    "Due in the next four weeks": "Due in the next four weeks: North",
    "Why steps were late": "Why steps were late",
    "Feedback on conferences": "Feedback",
}


def test_each_work_view_within_two_clicks_of_the_dashboard(browser_page, db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    case.at("2027-02-01 10:00")  # the first core group is a week late
    page = browser_page
    browser_sign_in(page, "tm")
    page.get_by_role("link", name="Dashboard").click()
    dashboard = page.url
    for link, heading in VIEWS.items():
        page.locator("#work-views").get_by_role("link", name=link).click()
        expect(page.locator("h1")).to_contain_text(heading)
        page.goto(dashboard)
    page.locator("#work-views").get_by_role("link", name="Overdue now").click()
    expect(page.locator("#overdue-rows")).to_contain_text("Record the core group meeting")
    expect(page.locator("#overdue-rows")).to_contain_text("7 days")
    page.goto(dashboard)
    page.locator("#work-views").get_by_role("link", name="Find a child's workflows").click()
    page.get_by_label("Child's name or reference").fill("okoye")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#instance-count")).to_have_text("3 instances.")
