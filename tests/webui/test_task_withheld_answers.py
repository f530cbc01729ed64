"""The task page as the person something is withheld from: the earlier answers in the form
have it taken out, the page says which answers hold it and that they are kept as recorded,
and sending the form as shown keeps the recorded words."""

from __future__ import annotations

from sqlalchemy import select

from engine.access.withheld_text import WITHHELD
from engine.models import ConferenceRequest
from engine.models.instances import READY, HumanTask
from tests.engine.workflow.test_withheld_answers import ADDRESS, DETAILS, address_in_a_request
from tests.webui.conftest import page, post_form, sign_in
from tests.webui.test_no_server_errors import _task_form


def as_shown(response) -> dict[str, str]:
    """The form's answers as the page shows them, the radios as they are checked."""
    form, values = _task_form(page(response))
    for choice in form.select("input[type=radio][checked], input[type=checkbox][checked]"):
        values[choice["name"]] = choice["value"]
    return values


def test_the_chair_sees_no_address_and_sending_the_form_as_shown_keeps_it(
    client, db, web_engine, clock
):
    case = address_in_a_request(db, web_engine, clock)
    task = case.ready()["decide_requests"]
    sign_in(client, case.staff["chair"].username)
    response = client.get(f"/tasks/{task.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for line in ADDRESS.split(", "):
        assert line not in html
    notice = " ".join(page(response).select_one("#withheld-answers").text.split())
    assert "Requests" in notice and "kept as it was recorded" in notice
    assert f"shows as “{WITHHELD}”" in notice and WITHHELD in html

    shown = as_shown(response)
    answers = {**shown, "requests-0-decision": "agreed", "requests-0-reason": "Risk of harm."}
    sent = post_form(client, f"/tasks/{task.id}", answers, token_from=f"/tasks/{task.id}")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    db.expire_all()
    assert db.get(HumanTask, task.id).state != READY
    assert db.scalars(select(ConferenceRequest)).one().details == DETAILS
    assert web_engine.task_data(db, db.get(HumanTask, task.id))["requests"][0]["details"] == DETAILS


def test_changing_the_request_that_holds_the_address_is_refused_on_the_page(
    client, db, web_engine, clock
):
    case = address_in_a_request(db, web_engine, clock)
    task = case.ready()["decide_requests"]
    sign_in(client, case.staff["chair"].username)
    shown = as_shown(client.get(f"/tasks/{task.id}"))
    answers = {
        **shown,
        "requests-0-details": "Grace has moved. Keep it from Tom.",
        "requests-0-decision": "agreed",
        "requests-0-reason": "Risk of harm.",
    }
    sent = post_form(client, f"/tasks/{task.id}", answers, token_from=f"/tasks/{task.id}")
    assert sent.status_code == 400
    summary = page(sent).select_one(".govuk-error-summary").text
    assert "withheld from you, so it cannot be changed here" in summary
    db.expire_all()
    assert db.get(HumanTask, task.id).state == READY
