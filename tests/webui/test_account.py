from engine.models import User
from tests.factories import make_staff
from tests.webui.conftest import page, post_form, sign_in


def test_people_choose_a_daily_summary_instead_of_an_email_each(client, db):
    make_staff(db)
    sign_in(client, "bs")
    html = page(client.get("/account"))
    assert html.h1.text == "Your account"
    assert "Business support" in html.select_one("#account").text
    assert html.select_one("#notify[value=immediate]").has_attr("checked")
    response = post_form(
        client, "/account/notifications", {"notify": "daily"}, follow=True, token_from="/account"
    )
    assert "Your email settings have been saved" in page(response).text
    db.expire_all()
    assert db.query(User).filter_by(username="bs").one().notify == "daily"


def test_a_missing_choice_is_an_error_that_keeps_the_page(client, db):
    make_staff(db)
    sign_in(client, "bs")
    response = post_form(
        client, "/account/notifications", {"notify": "hourly"}, token_from="/account"
    )
    assert response.status_code == 400
    html = page(response)
    assert html.title.text.startswith("Error:")
    assert html.select_one(".govuk-error-summary a")["href"] == "#notify"
