"""Making a process in the browser, starting it from a child's page, its cases and retiring."""

from __future__ import annotations

import io

from engine.models import ProcessInstance
from tests.factories import PROCESSES, deploy_processes, make_child, make_staff, make_user
from tests.webui.conftest import csrf, page, post_form, sign_in
from tests.webui.test_diagram_failures import world  # noqa: F401 - the failing-timer world

MEETING = (PROCESSES / "optional" / "childrens_meeting.bpmn").read_bytes()


def make_meeting(client, **overrides):
    data = {
        "csrf_token": csrf(client, "/diagrams/new"),
        "name": "Children's Meeting",
        "process_id": "childrens_meeting",
        "how": "file",
        "starts": ["child_page"],
        "file": (io.BytesIO(MEETING), "childrens_meeting.bpmn"),
        **overrides,
    }
    return client.post("/diagrams/new", data=data, content_type="multipart/form-data")


def test_an_owner_makes_a_process_a_worker_starts_and_the_owner_sees_and_retires(
    app, client, db, web_engine
):
    worker = app.test_client()
    deploy_processes(db)
    staff = make_staff(db)
    make_user(db, "owner", "process_owner", team=None)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "owner")
    refused = make_meeting(client, process_id="Not an id")
    assert refused.status_code == 422
    assert "lower-case letters" in page(refused).select_one("#problem-list").text
    made = make_meeting(client)
    assert made.status_code == 302 and made.location.endswith("/diagrams/childrens_meeting/edit")
    index = page(client.get("/diagrams"))
    row = index.select_one('tr[data-process="childrens_meeting"]')
    assert "starts from a child's page" in row.text

    sign_in(worker, "sw")
    case_page = page(worker.get(f"/children/{child.id}"))
    [form] = case_page.select('form[data-process="childrens_meeting"]')
    assert "Start Children's Meeting" in form.text
    started = post_form(
        worker,
        f"/children/{child.id}/start-process",
        {"process_id": "childrens_meeting"},
        token_from=f"/children/{child.id}",
    )
    assert started.status_code == 302
    [instance] = db.query(ProcessInstance).filter_by(process_id="childrens_meeting").all()

    cases = page(client.get("/diagrams/childrens_meeting/cases"))
    [row] = cases.select("#cases tbody tr")
    text = row.get_text(" ", strip=True)
    assert instance.reference in text and "Offer the child a Children's Meeting" in text
    assert child.given_name not in cases.text  # the owner cannot open the child's record
    pointer = page(client.get("/instances")).select_one("#owner-cases a")
    assert pointer["href"] == "/diagrams"
    retired = post_form(
        client,
        "/diagrams/childrens_meeting/starts",
        {"action": "retire", "reason": "Replaced by advocacy"},
    )
    assert retired.status_code == 302
    assert (
        "Retired"
        in page(client.get("/diagrams")).select_one('tr[data-process="childrens_meeting"]').text
    )

    assert not page(worker.get(f"/children/{child.id}")).select("form[data-process]")
    db.refresh(instance)
    assert instance.active


def test_the_cases_page_links_a_failed_case_to_its_versions_failures(client, world):  # noqa: F811
    sign_in(client, "owner")
    html = page(client.get("/diagrams/runaway_timer/cases"))
    [row] = html.select("#cases tbody tr")
    link = row.select_one("a")
    assert link["href"] == f"/diagrams/runaway_timer/versions/{world['v1'].id}/failures"
    filtered = page(client.get(f"/diagrams/runaway_timer/cases?version={world['v1'].id}"))
    assert len(filtered.select("#cases tbody tr[data-instance]")) == 1
    assert client.get("/diagrams/runaway_timer/cases?version=x").status_code == 404


def test_only_process_owners_open_the_new_process_pages(client, db):
    make_staff(db)
    sign_in(client, "tm")
    assert client.get("/diagrams/new").status_code == 403
