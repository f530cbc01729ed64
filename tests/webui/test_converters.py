"""A record id in a page or API address is a positive integer a database column can hold."""

from __future__ import annotations

import pytest

from tests.factories import make_service_account, make_staff, make_token
from tests.webui.conftest import page, sign_in
from webui.converters import MAX_ID


@pytest.mark.parametrize("path", ["/children/{}", "/instances/{}", "/conferences/{}"])
@pytest.mark.parametrize("record_id", [MAX_ID + 1, 10**30, 0])
def test_an_id_beyond_the_column_is_a_missing_page(client, db, path, record_id):
    make_staff(db)
    sign_in(client, "tm")
    response = client.get(path.format(record_id))
    assert response.status_code == 404
    assert page(response).title.get_text(strip=True).startswith("Page not found")


def test_the_largest_id_is_looked_up_and_not_found(client, db):
    make_staff(db)
    sign_in(client, "tm")
    response = client.get(f"/children/{MAX_ID}")
    assert response.status_code == 404


def test_the_api_refuses_an_oversized_id_as_missing(client, db):
    make_service_account(db, "tm_sys", "team_manager")
    token = make_token(db, "tm_sys")
    response = client.get(
        f"/api/v1/children/{MAX_ID + 1}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 404
    assert response.json["status"] == 404
