"""The administration area: accounts, teams and API tokens, each change audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.models import ApiToken, AuditEvent, Team, User
from tests.factories import PASSWORD, make_service_account, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in

TEMPORARY = "violet kettle harbour"


def admin_client(client, db):
    staff = make_staff(db)
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    return staff


def actions(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_only_administrators_reach_it(client, db):
    admin_client(client, db)
    assert "Administration" in page(client.get("/admin")).text
    other = client.application.test_client()
    sign_in(other, "sm")
    assert other.get("/admin/users").status_code == 403


def test_an_administrator_adds_a_person_who_must_choose_a_password(client, db):
    admin_client(client, db)
    weak = post_form(
        client,
        "/admin/users/new",
        {"username": "Bad Name", "display_name": "", "email": "x", "password": "short"},
    )
    assert weak.status_code == 400
    summary = page(weak).select_one(".govuk-error-summary").text
    for message in ("username of lower-case", "person's name", "email address", "role", "12"):
        assert message in summary
    added = post_form(
        client,
        "/admin/users/new",
        {
            "username": "sw7",
            "display_name": "Sam Seven",
            "email": "sam@example.invalid",
            "roles": "social_worker",
            "team": "North",
            "password": TEMPORARY,
        },
    )
    assert added.status_code == 302
    user = db.scalar(select(User).where(User.username == "sw7"))
    assert user.must_change_password and user.team == "North"
    newcomer = client.application.test_client()
    first = post_form(newcomer, "/sign-in", {"username": "sw7", "password": TEMPORARY})
    assert "/account/password" in first.headers["Location"]
    assert "/account/password" in newcomer.get("/inbox").headers["Location"]
    post_form(newcomer, "/account/password", {"current": TEMPORARY, "new": "plum anchor meadow"})
    assert newcomer.get("/inbox").status_code == 200
    assert "user.created" in actions(db)


def test_an_administrator_changes_roles_and_team_and_the_list_shows_them(client, db):
    staff = admin_client(client, db)
    sw = staff["sw"]
    saved = post_form(
        client,
        f"/admin/users/{sw.id}",
        {
            "display_name": "Sam Worker",
            "email": "sam@example.invalid",
            "roles": ["social_worker", "team_manager"],
            "team": "South",
        },
    )
    assert saved.status_code == 302
    db.refresh(sw)
    assert sw.roles == {"social_worker", "team_manager"} and sw.team == "South"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.changed"))
    assert event.detail["before"]["team"] == "North" and event.detail["after"]["team"] == "South"
    rows = page(client.get("/admin/users")).select("#users tbody tr")
    assert any("Sam Worker" in r.text and "Team manager" in r.text for r in rows)
    teams = page(client.get("/admin/teams")).select_one("#teams").text
    assert "South" in teams and "Sam Worker" in teams


def test_an_administrator_cannot_remove_their_own_administrator_role(client, db):
    admin_client(client, db)
    me = db.scalar(select(User).where(User.username == "admin"))
    refused = post_form(
        client,
        f"/admin/users/{me.id}",
        {"display_name": "A", "email": "a@example.invalid", "roles": "social_worker"},
    )
    assert refused.status_code == 400 and "administrator role" in refused.get_data(as_text=True)
    too_long = post_form(
        client,
        f"/admin/users/{me.id}",
        {
            "display_name": "A",
            "email": "a@example.invalid",
            "roles": "administrator",
            "team": "T" * 121,
        },
    )
    assert too_long.status_code == 400 and "up to 120 characters" in too_long.get_data(as_text=True)


def test_deactivate_reactivate_unlock_and_sign_out_everywhere(client, db):
    staff = admin_client(client, db)
    sw = staff["sw"]
    their_browser = client.application.test_client()
    sign_in(their_browser, "sw")
    path = f"/admin/users/{sw.id}"
    assert post_form(client, f"{path}/deactivate", {}, token_from=path).status_code == 302
    assert their_browser.get("/inbox").status_code == 302
    again = post_form(client, f"{path}/deactivate", {}, token_from=path)
    assert again.status_code == 400 and "already deactivated" in again.get_data(as_text=True)
    assert post_form(client, f"{path}/reactivate", {}, token_from=path).status_code == 302
    sign_in(their_browser, "sw")
    assert post_form(client, f"{path}/sign-out", {}, token_from=path).status_code == 302
    assert their_browser.get("/inbox").status_code == 302
    for _ in range(5):
        post_form(their_browser, "/sign-in", {"username": "sw", "password": "wrong guess"})
    held = post_form(their_browser, "/sign-in", {"username": "sw", "password": PASSWORD})
    assert held.status_code == 429
    assert "5" in page(client.get(path)).select_one("#user-status").text
    assert post_form(client, f"{path}/unlock", {}, token_from=path).status_code == 302
    sign_in(their_browser, "sw")
    for action in ("user.deactivated", "user.reactivated", "user.signed_out_everywhere"):
        assert action in actions(db)
    assert "user.unlocked" in actions(db)


def test_a_temporary_password_ends_the_persons_sessions(client, db):
    staff = admin_client(client, db)
    sw = staff["sw"]
    their_browser = client.application.test_client()
    sign_in(their_browser, "sw")
    path = f"/admin/users/{sw.id}"
    weak = post_form(client, f"{path}/password", {"password": "password"}, token_from=path)
    assert weak.status_code == 400
    set_ = post_form(client, f"{path}/password", {"password": TEMPORARY}, token_from=path)
    assert set_.status_code == 302
    assert their_browser.get("/inbox").status_code == 302
    db.refresh(sw)
    assert sw.must_change_password
    assert "user.password_reset" in actions(db)


def test_an_administrator_issues_and_revokes_an_expiring_token(client, db, clock):
    admin_client(client, db)
    make_service_account(db, "cms", "team_manager")
    missing = post_form(client, "/admin/tokens", {"name": "sync"})
    assert missing.status_code == 400
    issued = post_form(
        client, "/admin/tokens", {"account": "cms", "name": "nightly sync", "expires": "30"}
    )
    secret = page(issued).select_one("#token-secret").text.strip()
    assert secret.startswith("cpc_")
    api = client.application.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    token = db.scalar(select(ApiToken))
    assert token.expires_at == clock.now() + timedelta(days=30)
    listed = page(client.get("/admin/tokens")).select_one("#tokens").text
    assert "nightly sync" in listed and secret not in listed
    post_form(client, f"/admin/tokens/{token.id}/revoke", {}, token_from="/admin/tokens")
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert {"token.created", "token.revoked"} <= set(actions(db))


def test_an_expired_token_is_refused(client, db, clock):
    from engine.access import tokens

    make_service_account(db, "cms", "team_manager")
    _token, secret = tokens.create(
        db, "cms", "short", "tests", clock.now(), expires_at=clock.now() + timedelta(days=1)
    )
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(days=1)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and "expired" in refused.json["error"]


def test_the_settings_form_shows_field_errors_then_saves_a_version_the_pages_use(client, db):
    admin_client(client, db)
    form = page(client.get("/admin/settings"))
    assert form.select_one("#council_name")["value"] == "Demo Borough Council"
    refused = post_form(
        client, "/admin/settings", {"council_name": "Northshire", "family_link_days": "ninety"}
    )
    assert refused.status_code == 400
    errors = page(refused).select_one(".govuk-error-summary").text
    assert "Family link days must be a whole number from 1 to 90" in errors
    assert "Say why the settings are changing" in errors
    saved = post_form(
        client,
        "/admin/settings",
        {"council_name": "Northshire County Council", "reason": "The council was renamed"},
    )
    assert saved.status_code == 302
    shown = page(client.get("/admin/settings"))
    assert "Northshire County Council" in shown.select_one("#footer-text").text
    versions = shown.select_one("#settings-versions").text
    assert "The council was renamed" in versions and "admin" in versions
    assert "settings.changed" in actions(db)


def test_an_administrator_adds_a_team_and_makes_a_manager_manage_it(client, db):
    staff = admin_client(client, db)
    assert post_form(client, "/admin/teams", {"name": ""}).status_code == 400
    assert post_form(client, "/admin/teams", {"name": "South"}).status_code == 302
    south = db.scalar(select(Team).where(Team.name == "South"))
    chosen = post_form(client, f"/admin/teams/{south.id}/managers", {"managers": [staff["tm"].id]})
    assert chosen.status_code == 302
    rows = page(client.get("/admin/teams")).select("#teams tbody tr")
    assert any("South" in r.text and "Tm" in r.text for r in rows)
    assert actions(db)[-2:] == ["team.created", "team.managers_changed"]
