"""Instances for managers: filters, the diagram's data, the instance's data, retry."""

import json

from engine.platform.db import transaction
from tests.factories import STRATEGY, complete, make_child, make_user, start_icpc
from tests.webui.conftest import page, post_form, sign_in


def listed(client, query=""):
    html = page(client.get(f"/instances{query}"))
    return [a.text.strip() for a in html.select("#instances tbody tr td:first-child a")]


def test_filters_by_process_status_stage_team_and_overdue(client, db, web_engine, clock):
    staff, child, first = start_icpc(db, web_engine)
    from engine.casework import cases

    other = make_child(db, web_engine, staff["sw"], given="Noah", family="Bell")
    second = cases.start_conference(db, web_engine, staff["sw"], other.id)
    complete(db, web_engine, second.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    sign_in(client, "sm")
    assert set(listed(client)) == {first.reference, second.reference}
    assert listed(client, "?stage=book_conference") == [second.reference]
    assert listed(client, "?stage=record_strategy_discussion") == [first.reference]
    assert listed(client, "?process=rcpc") == []
    assert set(listed(client, "?process=icpc&status=running")) == {
        first.reference,
        second.reference,
    }
    assert listed(client, "?status=completed") == []
    assert set(listed(client, "?team=North")) == {first.reference, second.reference}
    assert listed(client, "?team=South") == []
    assert listed(client, "?overdue=yes") == []
    clock.advance(days=40)
    assert set(listed(client, "?overdue=yes")) == {first.reference, second.reference}
    html = page(client.get("/instances?overdue=yes"))
    assert "Overdue" in html.select_one("#instances tbody tr").text
    nothing = page(client.get("/instances?team=South&version=abc"))
    assert "match these filters" in nothing.select_one("#instances").text


def test_the_diagram_data_marks_completed_active_and_overdue_steps(client, db, web_engine, clock):
    staff, child, instance = start_icpc(db, web_engine)
    complete(db, web_engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    sign_in(client, "tm")
    html = page(client.get(f"/instances/{instance.id}"))
    diagram = html.select_one("#instance-diagram")
    assert diagram["data-xml"].endswith("/diagram.bpmn")
    xml = client.get(diagram["data-xml"])
    assert xml.status_code == 200 and "book_conference" in xml.get_data(as_text=True)
    states = json.loads(client.get(diagram["data-states"]).get_data(as_text=True))["elements"]
    assert states["record_strategy_discussion"] == "completed"
    assert states["book_conference"] == "active"
    clock.advance(days=40)
    states = json.loads(client.get(diagram["data-states"]).get_data(as_text=True))["elements"]
    assert states["book_conference"] == "overdue"


def test_the_instance_data_is_shown(client, db, web_engine):
    staff, child, instance = start_icpc(db, web_engine)
    complete(db, web_engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    sign_in(client, "tm")
    data = page(client.get(f"/instances/{instance.id}")).select_one("#instance-data").text
    assert "Strategy discussion date" in data and "2026-03-02" in data


def test_an_ended_workflow_shows_its_waiting_steps_as_stopped(client, db, web_engine):
    staff, child, instance = start_icpc(db, web_engine)
    web_engine.terminate(db, instance.id, staff["tm"], "Opened in error")
    sign_in(client, "tm")
    states = client.get(f"/instances/{instance.id}/diagram.json").get_json()
    assert states["elements"]["record_strategy_discussion"] == "stopped"


def test_a_failed_timer_can_be_retried_by_a_manager(client, db, web_engine, clock):
    staff, child, instance = start_icpc(db, web_engine)
    with transaction(db):
        instance.timer_attempts, instance.timer_error = 5, "boom"
        instance.timer_failed_at = clock.now()
    sign_in(client, "tm")
    html = page(client.get(f"/instances/{instance.id}"))
    assert "boom" in html.select_one("#timer-error").text
    response = post_form(client, f"/instances/{instance.id}/retry", {}, token_from="/inbox")
    assert response.status_code == 302
    db.expire_all()
    assert instance.timer_failed_at is None and instance.timer_attempts == 0
    path = f"/instances/{instance.id}"
    again = post_form(client, f"{path}/retry", {}, token_from="/inbox", follow=True)
    assert again.request.path == path  # back on the instance, the reason in an error summary
    assert "no failed timer" in page(again).select_one(".govuk-error-summary").text


def test_staff_and_unconnected_managers_cannot_see_an_instance(client, db, web_engine):
    staff, child, instance = start_icpc(db, web_engine)
    make_user(db, "tm_south", "team_manager", team="South")
    sign_in(client, "sw")
    assert client.get(f"/instances/{instance.id}/diagram.json").status_code == 403
    other = client.application.test_client()
    sign_in(other, "tm_south")
    assert other.get(f"/instances/{instance.id}").status_code == 403
    assert other.get(f"/instances/{instance.id}/diagram.bpmn").status_code == 403
    assert instance.reference not in listed(other)
    assert other.get("/instances/999999").status_code == 404


def test_a_manager_passes_a_waiting_step_to_a_colleague_from_the_instance(client, db, web_engine):
    staff, child, instance = start_icpc(db, web_engine)
    make_user(db, "sw2", "social_worker")
    sign_in(client, "tm")
    path = f"/instances/{instance.id}"
    html = page(client.get(path))
    form = html.select_one("#steps form")
    assert [o["value"] for o in form.select("option")] == ["sw2"]
    response = post_form(
        client, form["action"], {"colleague": "sw2", "back": path}, token_from=path
    )
    assert response.status_code == 302 and response.location.endswith(path)
    assert "(Sw2)" in page(client.get(path)).select_one("#steps tbody tr").text
    assert instance.status == "running"
