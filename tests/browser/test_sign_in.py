"""The harness itself: a person signs in and lands on their inbox, in a real browser."""

from tests.browser.conftest import browser_sign_in
from tests.factories import make_staff


def test_a_social_worker_signs_in_and_sees_their_inbox(db, browser_page):
    make_staff(db)
    browser_sign_in(browser_page, "sw")
    assert browser_page.locator("h1").first.inner_text().strip() != ""
    assert "/sign-in" not in browser_page.url
    assert browser_page.get_by_role("button", name="Sign out").is_visible()


def test_a_wrong_password_shows_an_error_summary(db, browser_page):
    make_staff(db)
    browser_sign_in(browser_page, "sw", "not the password")
    assert browser_page.locator(".govuk-error-summary").is_visible()
