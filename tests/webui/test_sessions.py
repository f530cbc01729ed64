"""Sessions live on the server: a copied cookie is worth nothing once its session ended."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from engine.access import administration
from engine.models import AuditEvent, UserSession
from tests.factories import PASSWORD, make_child, make_staff, make_user
from tests.webui.conftest import post_form, sign_in


def copied_cookie(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie(cookie.key, cookie.value)
    return thief


def test_a_copied_cookie_is_refused_after_sign_out(client, db, web_engine):
    staff = make_staff(db)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "sw")
    thief = copied_cookie(client, client.application)
    assert thief.get(f"/children/{child.id}").status_code == 200
    post_form(client, "/sign-out", {}, token_from="/inbox")
    refused = thief.get(f"/children/{child.id}")
    assert refused.status_code == 302 and "/sign-in" in refused.headers["Location"]
    ended = db.scalars(select(UserSession)).one()
    assert ended.ended_why == "signed out"


def test_a_copied_cookie_is_refused_after_deactivation(client, db, web_engine, clock):
    staff = make_staff(db)
    admin = make_user(db, "admin", "administrator", team=None)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "sw")
    other_browser = client.application.test_client()
    sign_in(other_browser, "sw")
    thief = copied_cookie(client, client.application)
    assert administration.deactivate(db, admin, staff["sw"], clock.now()) == 2
    for browser in (client, other_browser, thief):
        assert browser.get(f"/children/{child.id}").status_code == 302
    assert (
        post_form(client, "/sign-in", {"username": "sw", "password": PASSWORD}).status_code == 400
    )


def test_signing_out_everywhere_ends_every_session(client, db, clock):
    staff = make_staff(db)
    admin = make_user(db, "admin", "administrator", team=None)
    sign_in(client, "sw")
    other_browser = client.application.test_client()
    sign_in(other_browser, "sw")
    assert administration.sign_out_everywhere(db, admin, staff["sw"], clock.now()) == 2
    assert client.get("/inbox").status_code == 302
    assert other_browser.get("/inbox").status_code == 302


def test_a_session_lapses_when_idle_and_at_its_absolute_lifetime(make_app, db, clock):
    from webui.config import Config

    app = make_app(
        SESSION_IDLE_MINUTES=Config.SESSION_IDLE_MINUTES, SESSION_MAX_HOURS=Config.SESSION_MAX_HOURS
    )
    client = app.test_client()
    make_user(db, "sw", "social_worker")
    idle = timedelta(minutes=Config.SESSION_IDLE_MINUTES)
    sign_in(client, "sw")
    clock.advance(seconds=idle.total_seconds() - 60)
    assert client.get("/inbox").status_code == 200  # a request keeps it alive
    clock.advance(seconds=idle.total_seconds() - 60)
    assert client.get("/inbox").status_code == 200
    clock.advance(seconds=idle.total_seconds() + 1)
    assert client.get("/inbox").status_code == 302
    sign_in(client, "sw")
    lifetime = timedelta(hours=Config.SESSION_MAX_HOURS)
    busy_until = clock.now() + lifetime
    while clock.now() + idle / 2 < busy_until:
        clock.advance(seconds=(idle / 2).total_seconds())
        assert client.get("/inbox").status_code == 200
    clock.advance(seconds=(idle / 2).total_seconds())
    assert client.get("/inbox").status_code == 302


def test_the_idle_timeout_and_lifetime_are_settings(make_app, db, clock):
    app = make_app(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    assert app.config["PERMANENT_SESSION_LIFETIME"] in (3600, timedelta(hours=1))
    make_user(db, "sw", "social_worker")
    client = app.test_client()
    sign_in(client, "sw")
    clock.advance(minutes=6)
    assert client.get("/inbox").status_code == 302


def test_changing_ones_password_ends_the_other_sessions(client, db):
    make_user(db, "sw", "social_worker")
    sign_in(client, "sw")
    other_browser = client.application.test_client()
    sign_in(other_browser, "sw")
    new = "marmalade otter lighthouse"
    weak = post_form(client, "/account/password", {"current": PASSWORD, "new": "password"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.get_data(as_text=True)
    common = post_form(client, "/account/password", {"current": PASSWORD, "new": "1qaz2wsx3edc"})
    assert "most common" in common.get_data(as_text=True)
    wrong = post_form(client, "/account/password", {"current": "nope", "new": new})
    assert "current password" in wrong.get_data(as_text=True)
    changed = post_form(client, "/account/password", {"current": PASSWORD, "new": new})
    assert changed.status_code == 302
    assert client.get("/inbox").status_code == 200  # this browser goes on
    assert other_browser.get("/inbox").status_code == 302
    sign_in(other_browser, "sw", new)
    actions = list(db.scalars(select(AuditEvent.action)))
    assert "user.password_changed" in actions
