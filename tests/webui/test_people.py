"""Adding a person involved: over-long answers are named on the page and nothing is saved."""

import pytest
from sqlalchemy import func, select

from engine.models import CasePerson, Child
from tests.factories import make_child, make_staff
from tests.webui.conftest import page, post_form, sign_in


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("name", 201, "Full name must be 200 characters or fewer"),
        ("relationship_or_agency", 121, "Relationship to the child, or agency must be 120"),
        ("email", 255, "Email address must be 254 characters or fewer"),
        ("phone", 41, "Phone number must be 40 characters or fewer"),
    ],
)
def test_an_over_long_answer_is_named_and_no_person_is_added(
    client, db, web_engine, field, length, message
):
    staff = make_staff(db)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "sw")
    sent = {"kind": "family", "name": "Grace Okoye", field: "x" * length}
    response = post_form(client, f"/children/{child.id}/people/new", sent)
    assert response.status_code == 400
    link = page(response).select_one(".govuk-error-summary a")
    assert link["href"] == f"#{field}"
    assert link.text.strip().startswith(message)
    assert db.scalar(select(func.count()).select_from(CasePerson)) == 0


def test_an_over_long_child_name_is_named_and_no_child_is_added(client, db, web_engine):
    make_staff(db)
    sign_in(client, "sw")
    sent = {
        "given_name": "A" * 121,
        "family_name": "Okoye",
        "date_of_birth-day": "11",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2016",
        "social_worker": "sw",
    }
    response = post_form(client, "/children/new", sent)
    assert response.status_code == 400
    link = page(response).select_one(".govuk-error-summary a")
    assert link.text.strip() == "Given name must be 120 characters or fewer"
    assert db.scalar(select(func.count()).select_from(Child)) == 0
