"""Requests raised on the conference page by the social worker, the chair or an invited
professional, as many as needed before the conference; the chair decides them there."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.models import CasePerson, Conference, ConferenceRequest
from engine.models.conferences import ICPC
from tests.processes.driver import Case, invited
from tests.webui.conftest import page, post_form, sign_in

PHONE = {
    "kind": "withhold",
    "details": "The officer asks that the father does not get the mother's phone.",
    "person": "Grace Okoye",
    "field": "phone",
    "withheld_from": "Tom Okoye",
}
EXCLUDE = {"kind": "exclude", "details": "Tom has threatened the mother.", "person": "Tom Okoye"}


@pytest.fixture
def case(db, web_engine, clock, quick_password_hashing):
    made = Case(db, web_engine, clock, reload=False)
    invited(made)
    made.at("2027-01-07 09:00")
    return made


def conference_id(case) -> int:
    query = select(Conference.id).where(
        Conference.child_id == case.child.id, Conference.kind == ICPC
    )
    return case.db.scalars(query).one()


def raise_as(client, case, username, form):
    sign_in(client, username)
    return post_form(client, f"/conferences/{conference_id(case)}/requests", form)


def test_the_officer_the_chair_and_the_social_worker_each_raise_one(client, case, db):
    for username, form in (("police", PHONE), ("chair", EXCLUDE), ("sw", {**EXCLUDE})):
        response = raise_as(client, case, username, form)
        assert response.status_code == 302, response.get_data(as_text=True)[:400]
    rows = db.scalars(select(ConferenceRequest).order_by(ConferenceRequest.id)).all()
    assert [r.raised_by.username for r in rows] == ["police", "chair", "sw"]
    assert rows[0].field == "phone" and rows[0].withheld_from.name == "Tom Okoye"
    sign_in(client, "chair")
    html = page(client.get(f"/conferences/{conference_id(case)}"))
    assert len(html.select("#requests ~ .govuk-summary-card[id^=request-]")) == 3
    assert len(html.select("form[action$='/requests/decision']")) == 3
    task = case.ready()["hold_conference"]
    listed = page(client.get(f"/tasks/{task.id}")).select_one("#context-open-requests")
    assert "must decide 3 open requests before the conference is held" in listed.text


def test_the_chair_decides_on_the_conference_page_and_it_takes_effect(client, case, db):
    raise_as(client, case, "police", PHONE)
    row = db.scalars(select(ConferenceRequest)).one()
    sign_in(client, "chair")
    path = f"/conferences/{conference_id(case)}/requests/decision"
    refused = post_form(client, path, {"request_id": str(row.id), "decision": "agreed"})
    assert refused.status_code == 400 and "Give the reason" in refused.get_data(as_text=True)
    assert withholding.in_force(db, case.child.id) == []
    done = post_form(
        client, path, {"request_id": str(row.id), "decision": "agreed", "reason": "Safety."}
    )
    assert done.status_code == 302
    db.expire_all()
    tom = db.scalars(select(CasePerson).where(CasePerson.name == "Tom Okoye")).one()
    assert withholding.hidden_keys(db, tom, case.child.id) == {("person", row.person_id, "phone")}
    again = post_form(
        client, path, {"request_id": str(row.id), "decision": "refused", "reason": "x"}
    )
    assert again.status_code == 400  # decided once


def test_only_the_chair_decides_and_no_one_raises_after_the_conference(client, case, db):
    raise_as(client, case, "police", PHONE)
    row = db.scalars(select(ConferenceRequest)).one()
    path = f"/conferences/{conference_id(case)}/requests/decision"
    form = {"request_id": str(row.id), "decision": "agreed", "reason": "Safety."}
    sign_in(client, "sw")
    assert post_form(client, path, form).status_code == 403
    assert raise_as(client, case, "tm", EXCLUDE).status_code == 403
    db.get(Conference, conference_id(case)).held_on = case.clock.today()
    db.commit()
    late = raise_as(client, case, "sw", EXCLUDE)
    assert late.status_code == 400 and "has been held" in late.get_data(as_text=True)
    assert db.scalars(select(ConferenceRequest)).all() == [row]


def test_a_request_naming_no_one_known_is_refused_and_nothing_saved(client, case, db):
    response = raise_as(client, case, "sw", {**PHONE, "withheld_from": "Nobody Here"})
    assert response.status_code == 400
    assert "There is no one called Nobody Here" in response.get_data(as_text=True)
    assert db.scalars(select(ConferenceRequest)).all() == []


def test_the_chair_decides_beside_the_hold_task_and_goes_back_to_it(client, case, db):
    raise_as(client, case, "police", PHONE)
    row = db.scalars(select(ConferenceRequest)).one()
    task = case.ready()["hold_conference"]
    sign_in(client, "chair")
    html = page(client.get(f"/tasks/{task.id}"))
    form = html.select_one("#task-context form[action$='/requests/decision']")
    assert form.select_one("[name=return_to]")["value"] == f"/tasks/{task.id}"
    fields = {"request_id": str(row.id), "decision": "refused", "reason": "He may know it."}
    response = post_form(client, form["action"], {**fields, "return_to": f"/tasks/{task.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/tasks/{task.id}"
    )
    db.expire_all()
    assert db.get(ConferenceRequest, row.id).decision == "refused"
    assert page(client.get(f"/tasks/{task.id}")).select_one("#context-open-requests") is None


def test_a_request_quoting_what_is_withheld_from_the_reader_is_shown_without_it(client, case, db):
    """The mother's address is withheld from business support. A request typed in lower
    case quotes it (which the last net, matching the address as stored, would not find):
    neither the conference page nor business support's task page shows it to them; the
    social worker reads the request as written."""
    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    grace.address = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
    db.commit()
    withholding.withhold(
        db,
        case.staff["chair"],
        case.child.id,
        "person",
        grace.id,
        "address",
        "role:business_support",
        "Her new address is known to few.",
        case.clock.now(),
    )
    typed = "she is at flat 2, refuge house, 8 quiet lane, northtown nt1 4qq now"
    raise_as(client, case, "sw", {**PHONE, "details": f"Grace asks: {typed}."})
    task = case.all_ready("agency_report")[0]
    sign_in(client, "bs")
    for path in (f"/conferences/{conference_id(case)}", f"/tasks/{task.id}"):
        body = client.get(path).get_data(as_text=True)
        assert "Grace asks: she is at Withheld" in body
        assert "quiet lane" not in body.lower() and "refuge house" not in body.lower()
    sign_in(client, "sw")
    assert typed in client.get(f"/conferences/{conference_id(case)}").get_data(as_text=True)
