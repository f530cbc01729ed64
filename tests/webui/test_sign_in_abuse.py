"""Guessing is throttled per client and never locks the person guessed at; the page never
tells which accounts exist; after sign-in only a path on this site is followed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import administration, throttle
from engine.models import AuditEvent
from tests.factories import PASSWORD, make_user
from tests.webui.conftest import csrf, post_form


def attempt(client, username, password, address="192.0.2.1"):
    token = csrf(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_one_account_throttles_the_guesser_not_the_person(client, db, clock):
    make_user(db, "sw", "social_worker")
    for _ in range(throttle.PER_CLIENT_AND_USERNAME):
        assert attempt(client, "sw", "wrong guess").status_code == 400
    held = attempt(client, "sw", PASSWORD)  # even the right password waits
    assert held.status_code == 429
    assert 0 < int(held.headers["Retry-After"]) <= 15 * 60
    assert "too many attempts to sign in from here" in held.get_data(as_text=True)
    person = client.application.test_client()
    assert attempt(person, "sw", PASSWORD, address="198.51.100.7").status_code == 302
    clock.advance(minutes=15)
    assert attempt(client, "sw", PASSWORD).status_code == 302
    actions = list(db.scalars(select(AuditEvent.action)))
    assert actions.count("user.sign_in_failed") == 5 and "user.sign_in_throttled" in actions


def test_an_unknown_username_is_answered_exactly_like_a_known_one(client, db):
    make_user(db, "sw", "social_worker")
    answers = []
    for username, address in (("sw", "192.0.2.1"), ("nobody", "192.0.2.2")):
        for _ in range(throttle.PER_CLIENT_AND_USERNAME):
            attempt(client, username, "wrong guess", address)
        held = attempt(client, username, "wrong guess", address)
        answers.append((held.status_code, held.headers["Retry-After"], _error(held)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 429


def _error(response) -> str:
    from tests.webui.conftest import page

    return page(response).select_one(".govuk-error-summary").text.strip()


def test_guessing_across_many_accounts_from_one_client_is_throttled(client, db):
    """32 guesses across 8 accounts were once all accepted; now the client waits."""
    for n in range(8):
        make_user(db, f"user{n}", "social_worker")
    codes = [attempt(client, f"user{i % 8}", "wrong guess").status_code for i in range(32)]
    assert codes[: throttle.PER_CLIENT] == [400] * throttle.PER_CLIENT
    assert set(codes[throttle.PER_CLIENT :]) == {429}


def test_an_administrator_unlocks_a_throttled_username(client, db, clock):
    user = make_user(db, "sw", "social_worker")
    admin = make_user(db, "admin", "administrator", team=None)
    for _ in range(throttle.PER_CLIENT_AND_USERNAME):
        attempt(client, "sw", "wrong guess")
    assert attempt(client, "sw", PASSWORD).status_code == 429
    administration.unlock(db, admin, user, clock.now())
    assert attempt(client, "sw", PASSWORD).status_code == 302


OFF_SITE = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "/\t/evil.example",
    "/%09/evil.example",  # as sent: decoded to a tab
    "https://evil.example/",
    "javascript:alert(1)",
    "/inbox\r\nSet-Cookie: x=1",
    "/inbox\nx",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_refuses_every_off_site_form(client, db, target):
    make_user(db, "sw", "social_worker")
    token = csrf(client, "/sign-in")
    response = client.post(
        "/sign-in",
        query_string={"next": target.replace("%09", "\t")},
        data={"csrf_token": token, "username": "sw", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"


def test_next_keeps_a_path_on_this_site(client, db):
    make_user(db, "sw", "social_worker")
    response = post_form(
        client, "/sign-in?next=/children?page=2", {"username": "sw", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/children?page=2"


def test_a_raw_tab_in_the_query_string_is_refused_too(client, db):
    make_user(db, "sw", "social_worker")
    token = csrf(client, "/sign-in")
    response = client.post(
        "/sign-in?next=/%09/evil.example",
        data={"csrf_token": token, "username": "sw", "password": PASSWORD},
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/inbox")
