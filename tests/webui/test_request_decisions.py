"""The child's withheld page shows what the chair decided on each request, and why."""

from __future__ import annotations

import pytest

from forms import load
from tests.processes.driver import ANSWERS, Case, invited
from tests.webui.conftest import page, post_form, sign_in
from webui.tasks.formdata import values_from_data

WITHHOLD = {
    "kind": "withhold",
    "details": "Keep the mother's new address from the father.",
    "person": "Grace Okoye",
    "field": "address",
    "withheld_from": "Tom Okoye",
}
EXCLUDE = {"kind": "exclude", "details": "Tom has threatened the mother.", "person": "Tom Okoye"}


@pytest.fixture
def case(db, web_engine, clock, quick_password_hashing):
    made = Case(db, web_engine, clock, reload=False)
    invited(made)
    made.at("2027-01-07 09:00")
    made.do("social_worker_report", requests=[WITHHOLD, EXCLUDE])
    made.do(
        "decide_requests",
        requests=[
            {**WITHHOLD, "decision": "agreed", "reason": "She has fled domestic abuse."},
            {**EXCLUDE, "decision": "refused", "reason": "He can attend with support."},
        ],
    )
    return made


def test_the_withheld_page_lists_the_items_and_the_decisions(client, case):
    sign_in(client, "chair")
    html = page(client.get(f"/children/{case.child.id}/withheld"))
    assert "Nothing is withheld for this child" not in html.text
    items = html.select_one("#withheld-items").text
    assert "Tom Okoye" in items and "She has fled domestic abuse." in items
    decisions = " ".join(html.select_one("#request-decisions").text.split())
    assert "Grace Okoye's address from Tom Okoye" in decisions
    assert "Agreed" in decisions and "She has fled domestic abuse." in decisions
    assert "Refused" in decisions and "He can attend with support." in decisions


def test_holding_with_an_undecided_request_is_refused_on_the_page(client, db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    invited(made)
    made.at("2027-01-07 09:00")
    made.do("social_worker_report", requests=[WITHHOLD])
    made.at("2027-01-11 15:00")
    task = made.ready()["hold_conference"]
    posted = values_from_data(load("icpc/hold_conference"), ANSWERS["hold_conference"])
    sign_in(client, "chair")
    response = post_form(client, f"/tasks/{task.id}", dict(posted.lists()))
    assert response.status_code == 400
    summary = " ".join(page(response).select_one(".govuk-error-summary").text.split())
    assert (
        "Decide the request to withhold information (Keep the mother's new address from the "
        "father.) before the conference is held." in summary
    )
    db.expire_all()
    assert {"hold_conference", "decide_requests"} <= set(made.ready())


def test_a_group_is_named_plainly_on_the_conference_and_withheld_pages(
    client, db, web_engine, clock
):
    """An officer asks on the conference page to keep the mother's address from "all family
    members" and himself names no one else; the chair agrees it there."""
    from sqlalchemy import select

    from engine.models import Conference, ConferenceRequest

    made = Case(db, web_engine, clock, reload=False)
    invited(made)
    conference = db.scalars(select(Conference)).one()
    sign_in(client, "police")
    asked = {**WITHHOLD, "withheld_from": "all family members"}
    response = post_form(client, f"/conferences/{conference.id}/requests", asked)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    row = db.scalars(select(ConferenceRequest)).one()
    client = client.application.test_client()
    sign_in(client, "chair")
    html = page(client.get(f"/conferences/{conference.id}"))
    card = " ".join(html.select_one(f"#request-{row.id}").text.split())
    assert "Withhold Grace Okoye's address from all family members" in card
    decided = {"request_id": str(row.id), "decision": "agreed", "reason": "Refuge."}
    post_form(client, f"/conferences/{conference.id}/requests/decision", decided)
    html = page(client.get(f"/children/{made.child.id}/withheld"))
    items = " ".join(html.select_one("#withheld-items").text.split())
    assert "Grace Okoye's address" in items and "All family members" in items
