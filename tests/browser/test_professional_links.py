"""In a real browser: a GP with no account sends her report and a file through the emailed
link, and business support prints and posts the family's letters from the print queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.models import OutboxMessage
from tests.browser.conftest import browser_sign_in
from tests.browser.journeys import shot
from tests.engine.documents.hostile_files import clean_pdf
from tests.processes.driver import Case, invited


@pytest.fixture
def case(db, engine, clock):
    """Invitations sent on 4 January 2027: the police (an account), a GP (an email only)."""
    made = Case(db, engine, clock, reload=True)
    invited(made)
    return made


def test_a_gp_without_an_account_sends_her_report_by_the_link(browser_page, case, db):
    page = browser_page
    link = db.scalars(
        select(OutboxMessage.link_path).where(OutboxMessage.kind == "professional_link")
    ).one()
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Your agency's report for the conference")
    expect(page.locator("#link-for")).to_contain_text("Please send your report by 7 January 2027")
    page.get_by_label("Summary of the report").fill("Registered since birth; two missed jabs.")
    page.set_input_files(
        "#report_file",
        files=[{"name": "GP report.pdf", "mimeType": "application/pdf", "buffer": clean_pdf()}],
    )
    shot(page, "professional-01-report-form")
    page.get_by_role("button", name="Send your report").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Report sent")
    shot(page, "professional-02-report-sent")
    page.goto(link)
    expect(page.locator("#reason")).to_contain_text("will not open again")


def test_business_support_marks_a_letter_posted(browser_page, case):
    page = browser_page
    browser_sign_in(page, "bs")
    page.get_by_role("link", name="Print queue").click()
    expect(page.locator("#waiting")).to_have_text("To post (4)")
    shot(page, "print-queue-01-waiting")
    page.get_by_role("button", name="Mark as posted").first.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("marked as posted")
    expect(page.locator("#waiting")).to_have_text("To post (3)")
    expect(page.locator("#posted")).to_be_visible()
    shot(page, "print-queue-02-posted")
