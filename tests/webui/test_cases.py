from tests.factories import deploy_icpc, make_child, make_staff
from tests.webui.conftest import page, post_form, sign_in


def test_a_social_worker_starts_an_icpc_for_a_child(client, db, web_engine):
    staff = make_staff(db)
    deploy_icpc(db)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "sw")
    html = page(client.get(f"/children/{child.id}"))
    assert html.h1.text.strip() == child.full_name
    response = post_form(
        client, f"/children/{child.id}/start", {}, token_from=f"/children/{child.id}"
    )
    assert response.status_code == 302
    html = page(client.get(f"/children/{child.id}"))
    assert "started: case ICPC-" in html.select_one(".govuk-notification-banner").text
    assert "Record the strategy discussion" in html.text
    # One open ICPC per child: the start button is gone.
    assert not html.find("button", string=lambda s: s and "Start an initial" in s)
    inbox = page(client.get("/inbox"))
    assert len(inbox.select("#inbox tbody tr")) == 1


def test_adding_a_child_validates_and_saves(client, db, web_engine):
    make_staff(db)
    sign_in(client, "sw")
    response = post_form(
        client, "/children/new", {"given_name": "", "family_name": "Price", "social_worker": "sw"}
    )
    assert response.status_code == 400
    assert "Enter given name" in page(response).select_one(".govuk-error-summary").text
    response = post_form(
        client,
        "/children/new",
        {
            "given_name": "Ella",
            "family_name": "Price",
            "social_worker": "sw",
            "date_of_birth-day": "14",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2018",
        },
    )
    assert response.status_code == 302
    html = page(client.get("/children"))
    assert "Ella Price" in html.select_one("#children").text


def test_a_script_typed_into_a_name_is_shown_as_text(client, db, web_engine):
    make_staff(db)
    sign_in(client, "sw")
    post_form(
        client,
        "/children/new",
        {"given_name": "<script>alert(1)</script>", "family_name": "X", "social_worker": "sw"},
    )
    body = client.get("/children").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
