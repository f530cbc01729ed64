from tests.factories import make_user
from tests.webui.conftest import page, post_form, sign_in


def test_sign_in_page_has_its_title_and_form(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    html = page(response)
    assert html.title.string.startswith("Sign in")
    assert html.find("input", {"name": "password", "type": "password"}) is not None


def test_pages_need_a_signed_in_user(client):
    response = client.get("/inbox")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_wrong_password_is_refused_with_a_clear_error(client, db):
    make_user(db, "sw", "social_worker")
    response = post_form(client, "/sign-in", {"username": "sw", "password": "wrong"})
    assert response.status_code == 400
    html = page(response)
    assert html.title.string.startswith("Error:")
    assert "Enter a correct username and password" in html.select_one(".govuk-error-summary").text


def test_sign_in_then_sign_out(client, db):
    make_user(db, "sw", "social_worker")
    sign_in(client, "sw")
    assert client.get("/inbox").status_code == 200
    response = post_form(client, "/sign-out", {}, token_from="/inbox")
    assert response.status_code == 302
    assert client.get("/inbox").status_code == 302


def test_a_post_without_the_csrf_token_is_refused(client, db):
    make_user(db, "sw", "social_worker")
    response = client.post("/sign-in", data={"username": "sw", "password": "x"})
    assert response.status_code == 400
    assert "session has expired" in page(response).select_one("#error-message").text


def test_pages_carry_security_headers(client):
    headers = client.get("/sign-in").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
