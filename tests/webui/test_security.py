"""Sessions, CSRF, headers and escaping: the properties every page relies on."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.factories import PASSWORD, make_child, make_staff, make_user, start_icpc
from tests.webui.conftest import post_form, sign_in


def test_the_session_cookie_is_http_only_and_same_site(client, db):
    make_user(db, "sw", "social_worker")
    cookie = sign_in(client, "sw").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_in_production_the_cookie_is_secure_and_hsts_is_sent_behind_tls(make_app, db):
    from webui import config

    app = make_app(SESSION_COOKIE_SECURE=config.ProductionConfig.SESSION_COOKIE_SECURE)
    make_user(db, "sw", "social_worker")
    client = app.test_client()
    response = post_form(client, "/sign-in", {"username": "sw", "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]
    tls = client.get("/sign-in", base_url="https://cpc.example.gov.uk")
    assert tls.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers


def test_signing_in_starts_a_new_session(client, db):
    make_user(db, "sw", "social_worker")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    sign_in(client, "sw")
    with client.session_transaction() as after:
        assert "planted" not in after and "sid" in after


def test_a_form_post_from_another_site_is_refused(client, db, web_engine):
    staff, child, _ = start_icpc(db, web_engine)
    sign_in(client, "sw")
    response = client.post(f"/children/{child.id}/people/new", data={"kind": "family", "name": "X"})
    assert response.status_code == 400


def test_headers_forbid_framing_sniffing_and_inline_script(client):
    headers = client.get("/sign-in").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_script_in_free_text_is_inert_on_every_page_that_shows_it(client, db, web_engine):
    staff = make_staff(db)
    from tests.factories import deploy_processes

    deploy_processes(db)
    child = make_child(db, web_engine, staff["sw"], given=SCRIPT, family=SCRIPT)
    sign_in(client, "sw")
    post_form(
        client,
        f"/children/{child.id}/people/new",
        {"kind": "family", "name": SCRIPT, "relationship_or_agency": SCRIPT, "address": SCRIPT},
    )
    start = post_form(
        client,
        f"/children/{child.id}/start",
        {"conference_type": "icpc"},
        token_from=f"/children/{child.id}",
    )
    assert start.status_code == 302
    for path in ("/children", f"/children/{child.id}", "/inbox"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
    assert "&lt;script&gt;" in client.get(f"/children/{child.id}").get_data(as_text=True)


def test_the_page_templates_script_is_allowed_by_its_hash_and_nothing_else_inline(client):
    response = client.get("/sign-in")
    script = re.search(r"<script>(.*?)</script>", response.text, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1).split()
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in csp
