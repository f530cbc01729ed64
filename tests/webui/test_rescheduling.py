"""The page that moves a booked conference (issue 22)."""

from datetime import date

from sqlalchemy import select

from engine.models import Conference
from tests.factories import make_user
from tests.processes.driver import Case, invited
from tests.webui.conftest import csrf, sign_in


def booked(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    make_user(db, "chair2", "conference_chair", team=None)
    invited(case)
    case.at("2027-01-06 10:00")
    return db.scalars(select(Conference)).one()


def test_business_support_moves_the_conference_from_its_page(client, db, web_engine, clock):
    conference = booked(db, web_engine, clock)
    sign_in(client, "bs")
    page = client.get(f"/conferences/{conference.id}").get_data(as_text=True)
    assert "Move the conference" in page
    form = client.get(f"/conferences/{conference.id}/move").get_data(as_text=True)
    assert 'value="Civic Centre, room 2"' in form
    token = csrf(client, f"/conferences/{conference.id}/move")
    answers = {
        "csrf_token": token,
        "conference_date-day": "12",
        "conference_date-month": "1",
        "conference_date-year": "2027",
        "conference_time": "14:00",
        "venue": "Town Hall",
        "chair": "chair2",
        "reason": "",
    }
    refused = client.post(f"/conferences/{conference.id}/move", data=answers)
    assert refused.status_code == 400
    assert "Enter why the conference is moved" in refused.get_data(as_text=True)
    moved = client.post(
        f"/conferences/{conference.id}/move", data={**answers, "reason": "Mother in hospital."}
    )
    assert moved.status_code == 302
    db.expire_all()
    row = db.get(Conference, conference.id)
    assert (row.scheduled_on, row.venue) == (date(2027, 1, 12), "Town Hall")


def test_a_social_worker_cannot_move_it(client, db, web_engine, clock):
    conference = booked(db, web_engine, clock)
    sign_in(client, "sw")
    assert "Move the conference" not in client.get(f"/conferences/{conference.id}").get_data(
        as_text=True
    )
    assert client.get(f"/conferences/{conference.id}/move").status_code == 403
