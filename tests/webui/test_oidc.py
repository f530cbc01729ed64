"""Signing in with the council's identity provider (OpenID Connect), end to end."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from engine.access import administration
from engine.models import AuditEvent
from tests.factories import make_user
from tests.webui.conftest import page
from tests.webui.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider


@pytest.fixture
def provider():
    with FakeProvider() as fake:
        yield fake


@pytest.fixture
def oidc_client(make_app, provider):
    app = make_app(
        OIDC_METADATA_URL=provider.metadata_url,
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    return app.test_client()


def round_trip(client):
    """Press the button, let the provider answer, come back to the callback."""
    to_provider = client.get("/sign-in/oidc")
    assert to_provider.status_code == 302
    answer = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_the_sign_in_page_offers_the_council_account(oidc_client):
    button = page(oidc_client.get("/sign-in")).select_one("#oidc-sign-in")
    assert button is not None and "council account" in button.get_text()


def test_a_first_sign_in_matches_an_account_only_once_an_administrator_linked_it(
    oidc_client, db, provider, clock
):
    """The username claim names an account here, but is not trusted: refused until an
    administrator links the provider's subject to it; then the subject alone finds them."""
    user = make_user(db, "sw", "social_worker")
    admin = make_user(db, "admin", "administrator", team=None)
    refused = round_trip(oidc_client)
    assert refused.status_code == 403
    assert "entra-0001" in refused.get_data(as_text=True)  # quoted for the administrator
    db.refresh(user)
    assert user.oidc_subject is None
    administration.link_identity(db, admin, user, "entra-0001", clock.now())
    response = round_trip(oidc_client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/inbox")
    assert oidc_client.get("/inbox").status_code == 200
    # Later the username claim may change (a renamed account): the subject still finds them.
    provider.identity = {"sub": "entra-0001", "preferred_username": "renamed"}
    fresh = oidc_client.application.test_client()
    assert round_trip(fresh).status_code == 302


def test_entra_ids_oid_is_preferred_to_sub(oidc_client, db, provider, clock):
    user = make_user(db, "sw", "social_worker")
    admin = make_user(db, "admin", "administrator", team=None)
    administration.link_identity(db, admin, user, "object-id-1", clock.now())
    provider.identity = {"sub": "pairwise-xyz", "oid": "object-id-1", "preferred_username": "sw"}
    assert round_trip(oidc_client).status_code == 302


def test_someone_without_an_account_here_is_refused_clearly(oidc_client, db, provider):
    provider.identity = {"sub": "entra-9999", "preferred_username": "stranger"}
    response = round_trip(oidc_client)
    assert response.status_code == 403
    assert "not linked to an account in this service" in response.get_data(as_text=True)
    assert oidc_client.get("/inbox").status_code == 302
    failed = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed"))
    assert failed.detail == {"subject": "entra-9999", "via": "oidc"}


def test_a_deactivated_account_is_refused(oidc_client, db):
    user = make_user(db, "sw", "social_worker")
    user.active, user.oidc_subject = False, "entra-0001"  # linked, then a leaver
    db.commit()
    assert round_trip(oidc_client).status_code == 403


def test_a_forged_callback_is_refused(oidc_client, db):
    make_user(db, "sw", "social_worker")
    oidc_client.get("/sign-in/oidc")
    response = oidc_client.get("/sign-in/oidc/callback?code=code-1&state=forged")
    assert response.status_code == 400
    assert oidc_client.get("/inbox").status_code == 302


def test_without_settings_the_routes_do_not_exist(client):
    assert client.get("/sign-in/oidc").status_code == 404


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(make_app):
    app = make_app(
        OIDC_METADATA_URL="http://127.0.0.1:9/.well-known/openid-configuration",
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
    )
    response = app.test_client().get("/sign-in/oidc")
    assert response.status_code == 503
    assert "cannot be reached" in page(response).select_one(".govuk-error-summary").get_text()
