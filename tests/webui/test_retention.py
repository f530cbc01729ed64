from tests.engine.reporting.test_retention import three_children
from tests.factories import make_user
from tests.webui.conftest import page, sign_in


def test_an_administrator_sees_the_records_due_for_review(client, db, web_engine):
    old = three_children(db, web_engine)
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    response = client.get("/retention")
    assert response.status_code == 200
    html = page(response)
    assert html.title.string.startswith("Records due for retention review")
    rows = html.select("#retention-records tbody tr")
    assert len(rows) == 1 and old.reference in rows[0].get_text()


def test_nothing_due_says_so(client, db):
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    assert page(client.get("/retention")).select_one("#no-records") is not None
