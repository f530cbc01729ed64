"""Text no database can store is refused with a clear 400 before any view reads it."""

from __future__ import annotations

import io
import json

from tests.factories import make_service_account, make_staff, make_token
from tests.webui.conftest import page, post_form, sign_in


def test_an_api_query_with_a_nul_is_refused_not_a_server_error(client, db):
    make_service_account(db, "tm_sys", "team_manager")
    token = make_token(db, "tm_sys")
    response = client.get(
        "/api/v1/instances",
        query_string={"process_id": "icpc\x00", "status": "terminated"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json["error"]


def test_a_json_body_with_a_lone_surrogate_is_refused(client, db):
    make_service_account(db, "tm_sys", "team_manager")
    token = make_token(db, "tm_sys")
    response = client.post(
        "/api/v1/instances",
        data=json.dumps({"process_id": "icpc", "child_id": 1, "note": "\ud800"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.json["error"]


def test_a_form_with_a_nul_shows_the_error_page_and_signs_no_one_in(client, db):
    make_staff(db)
    response = post_form(client, "/sign-in", {"username": "sw\x00", "password": "x"})
    assert response.status_code == 400
    assert "cannot be stored" in page(response).select_one("main").get_text()
    assert client.get("/").status_code == 302


def test_ordinary_requests_pass(client, db):
    make_staff(db)
    sign_in(client, "sw")
    assert client.get("/children", query_string={"q": "Smith"}).status_code == 200


def test_halves_of_a_pair_in_two_strings_are_refused_and_a_whole_pair_passes(client, db):
    """The guard asks about every string at once: two lone halves that would make a pair
    side by side are still two lone surrogates, while an emoji sent whole is ordinary text."""
    make_service_account(db, "tm_sys", "team_manager")
    headers = {"Authorization": f"Bearer {make_token(db, 'tm_sys')}"}
    for body, status in (
        ('{"note\\ud83d": "\\ude00", "process_id": "icpc"}', 400),
        ('{"note": ["\\ud83d", "\\ude00"], "process_id": "icpc"}', 400),
        ('{"note": "\\ud83d\\ude00", "process_id": "nothing-deployed"}', 422),  # read, not refused
    ):
        response = client.post(
            "/api/v1/instances", data=body, content_type="application/json", headers=headers
        )
        assert response.status_code == status, body


def test_an_upload_named_with_a_nul_is_refused(client, db):
    make_service_account(db, "tm_sys", "team_manager")
    headers = {"Authorization": f"Bearer {make_token(db, 'tm_sys')}"}
    response = client.post(
        "/api/v1/instances",
        data={"process_id": "icpc", "file": (io.BytesIO(b"x"), "a\x00.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert response.status_code == 400
