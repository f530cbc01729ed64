"""The administration area in a real browser: create a user, change a role, deactivate,
unlock, reset a password, issue and revoke a token, change a setting. Each page is saved
as a screenshot."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import browser_sign_in
from tests.browser.journeys import shot
from tests.factories import make_service_account, make_staff, make_user


def test_an_administrator_manages_accounts_and_tokens(browser_page, db):
    page = browser_page
    make_staff(db)
    make_user(db, "admin", "administrator", team=None)
    make_service_account(db, "cms", "team_manager")
    browser_sign_in(page, "admin")
    page.get_by_role("link", name="Administration").first.click()
    shot(page, "40-administration")

    # Create a user with a temporary password.
    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("button", name="Add a user").click()
    page.get_by_label("Username").fill("sw7")
    page.get_by_label("Name", exact=True).fill("Sam Seven")
    page.get_by_label("Email", exact=True).fill("sam7@example.invalid")
    page.get_by_label("Social worker").check()
    page.get_by_label("Team (optional)").fill("North")
    page.get_by_label("Temporary password (optional)").fill("violet kettle harbour")
    shot(page, "41-add-a-user")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sam Seven (sw7)")

    # Change a role.
    page.get_by_label("Team manager").check()
    page.get_by_role("button", name="Save details").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("details have been saved")
    expect(page.get_by_label("Team manager")).to_be_checked()

    # Reset the password, unlock, deactivate.
    page.locator("#password").fill("amber lantern orchard")
    page.get_by_role("button", name="Set temporary password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("temporary password")
    page.get_by_role("button", name="Unlock sign-in").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("try to sign in again")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.locator("#user-status")).to_contain_text("Deactivated")
    shot(page, "42-a-user-deactivated")
    page.get_by_role("link", name="Users").first.click()
    expect(page.locator("#users")).to_contain_text("Deactivated")

    # Issue a token, then revoke it.
    page.goto("/admin/tokens")
    page.get_by_label("Service account").select_option("cms")
    page.get_by_label("What uses it").fill("nightly sync")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Issue token").click()
    expect(page.locator("#token-secret")).to_contain_text("cpc_")
    shot(page, "43-token-issued")
    page.get_by_role("button", name="Revoke nightly sync").click()
    expect(page.locator("#tokens")).to_contain_text("Revoked")
    shot(page, "44-token-revoked")

    # Change a setting: a new version, with why.
    page.goto("/admin")
    page.get_by_role("link", name="Council settings").click()
    page.get_by_label("Conference chairs' phone").fill("01234 567899")
    page.get_by_label("Why are the settings changing?").fill("The chairs have a new line.")
    page.get_by_role("button", name="Save a new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Steps computed from now")
    expect(page.locator("#settings-versions")).to_contain_text("The chairs have a new line.")
    shot(page, "45-settings-changed")


def test_administration_pages_have_no_serious_violations(browser_page, db):
    from tests.browser.journeys import serious_violations, with_axe

    page = browser_page
    with_axe(page)
    staff = make_staff(db)
    make_user(db, "admin", "administrator", team=None)
    make_service_account(db, "cms", "team_manager")
    browser_sign_in(page, "admin")
    for path, name in (
        ("/admin", "admin"),
        ("/admin/users", "admin-users"),
        ("/admin/users/new", "admin-add-user"),
        (f"/admin/users/{staff['sw'].id}", "admin-user"),
        ("/admin/teams", "admin-teams"),
        ("/admin/tokens", "admin-tokens"),
        ("/admin/settings", "admin-settings"),
        ("/account/password", "change-password"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        shot(page, f"axe-{name}")
        assert serious_violations(page) == [], path
