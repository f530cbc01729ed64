"""The page that records an unborn child's birth (issue 22)."""

from datetime import date

from engine.models.people import Child
from tests.processes.driver import Case
from tests.webui.conftest import post_form, sign_in


def test_the_social_worker_records_the_birth_from_the_child_s_page(client, db, web_engine, clock):
    case = Case(db, web_engine, clock, reload=False, expected_date_of_birth=date(2027, 4, 15))
    case.at("2027-04-20 10:00")
    sign_in(client, "sw")
    page = client.get(f"/children/{case.child.id}").get_data(as_text=True)
    assert "Record the birth" in page
    path = f"/children/{case.child.id}/birth"
    answers = {
        "date_of_birth-day": "30",
        "date_of_birth-month": "4",
        "date_of_birth-year": "2027",
        "given_name": "Lily",
        "family_name": "Okoye",
    }
    refused = post_form(client, path, answers)
    assert refused.status_code == 400
    assert "Date of birth must be today or in the past" in refused.get_data(as_text=True)
    done = post_form(client, path, {**answers, "date_of_birth-day": "18"})
    assert done.status_code == 302
    db.expire_all()
    child = db.get(Child, case.child.id)
    assert (child.full_name, child.date_of_birth) == ("Lily Okoye", date(2027, 4, 18))
    assert "Record the birth" not in client.get(f"/children/{child.id}").get_data(as_text=True)
