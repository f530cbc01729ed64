"""Professionals give feedback on a conference; managers see every form's answers summarised."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.casework import family_links
from engine.models import CasePerson, Conference
from tests.factories import make_user
from tests.processes.driver import Case, held
from tests.webui.conftest import page, post_form, sign_in

ANSWERS = {
    "reports_in_time": "no",
    "well_chaired": "yes",
    "decision_clear": "yes",
    "plan_clear": "partly",
    "overall": "4",
    "comments": "Reports came late again.",
}


@pytest.fixture
def case(db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    held(made)
    return made


def icpc_id(case) -> int:
    query = select(Conference.id).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def test_an_invited_professional_gives_feedback_once(client, case):
    sign_in(client, "police")
    path = f"/conferences/{icpc_id(case)}/feedback"
    html = page(client.get(path))
    assert html.h1.text.strip() == "Feedback on the conference"
    missing = post_form(client, path, {"comments": "x"})
    assert missing.status_code == 400
    assert post_form(client, path, ANSWERS).status_code == 302
    again = post_form(client, path, ANSWERS)
    assert again.status_code == 400
    assert "already given feedback" in page(again).text


def test_managers_see_the_answers_summarised_and_others_cannot(client, case, db):
    sign_in(client, "police")
    post_form(client, f"/conferences/{icpc_id(case)}/feedback", ANSWERS)
    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    conference = db.get(Conference, icpc_id(case))
    token = family_links.issue(
        db, case.staff["sw"], conference, grace.id, "parent_feedback", "g@x.org", case.clock.now()
    )
    answers = {"understood_why": "yes", "reports_in_time": "no", "listened_to": "yes"}
    answers |= {"know_next_steps": "yes", "overall": "5"}
    post_form(client, f"/family/{token}", answers, token_from="/sign-in")

    sign_in(client, "tm")
    html = page(client.get("/feedback"))
    assert html.select_one("#professional").text.strip() == "Professionals: 1 response"
    assert html.select_one("#parent").text.strip() == "Parents and carers: 1 response"
    table = html.select_one("#professional").find_next("table").text
    assert "Reports came late again." in html.text
    assert "No: 1 (100%)" in table

    make_user(db, "tm_south", "team_manager", team="South")
    sign_in(client, "tm_south")
    html = page(client.get("/feedback"))
    assert html.select_one("#professional").text.strip() == "Professionals: 0 responses"
    sign_in(client, "sw")
    assert client.get("/feedback").status_code == 403
