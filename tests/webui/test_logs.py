"""Logs are JSON lines with a request id and a user id, and never carry a child or a form."""

import json
import logging

import pytest

from engine.models import Child
from tests.factories import deploy_processes, make_staff, ready
from tests.webui.conftest import post_form, sign_in
from tests.webui.test_tasks import STRATEGY
from webui import logs

SECRET_FAMILY = "Quartermaine"


@pytest.fixture
def debug_app(make_app):
    """An app logging everything; the level goes back to the tests' own afterwards."""
    yield make_app(LOG_LEVEL="DEBUG")
    logs.configure("WARNING")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_case_driven_through_its_forms_leaves_no_name_or_form_content_in_the_logs(
    debug_app, db, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    staff = make_staff(db)
    deploy_processes(db)
    client = debug_app.test_client()
    sign_in(client, "sw")
    added = post_form(
        client,
        "/children/new",
        {
            "given_name": "Zebedee",
            "family_name": SECRET_FAMILY,
            "social_worker": "sw",
            "date_of_birth-day": "9",
            "date_of_birth-month": "7",
            "date_of_birth-year": "2019",
        },
    )
    assert added.status_code == 302
    child = db.query(Child).filter_by(family_name=SECRET_FAMILY).one()
    token_page = f"/children/{child.id}"
    assert (
        post_form(client, f"/children/{child.id}/start", {}, token_from=token_page).status_code
        == 302
    )
    instance_id = child_instance(db, child.id)
    task = ready(db, instance_id)["record_strategy_discussion"]
    refused = post_form(
        client,
        f"/tasks/{task.id}",
        {**STRATEGY, "no_conference_reason": f"{SECRET_FAMILY} note", "outcome": ""},
    )
    assert refused.status_code == 400
    done = client.post(
        f"/tasks/{task.id}",
        data={**STRATEGY, "csrf_token": csrf_of(client, f"/tasks/{task.id}")},
        headers={"X-Request-Id": "proxy-request-0001"},
    )
    assert done.status_code == 302 and done.headers["X-Request-Id"] == "proxy-request-0001"
    db.expire_all()
    assert list(ready(db, instance_id)) == ["book_conference"]
    client.get(f"/children?q={SECRET_FAMILY}")

    written = capsys.readouterr().err
    assert SECRET_FAMILY not in written and "Zebedee" not in written
    assert SECRET_FAMILY not in caplog.text and "Zebedee" not in caplog.text
    for record in caplog.records:
        assert SECRET_FAMILY not in repr(record.args) and SECRET_FAMILY not in repr(vars(record))
    lines = json_lines(written)
    completion = [
        line
        for line in lines
        if line["message"] == "request" and line.get("request_id") == "proxy-request-0001"
    ]
    assert completion == [
        {
            **completion[0],
            "logger": "cpc.request",
            "method": "POST",
            "rule": "/tasks/<task_id>",
            "path": f"/tasks/{task.id}",
            "status": 302,
            "user_id": staff["sw"].id,
        }
    ]
    searched = [line for line in lines if line.get("rule") == "/children"]
    assert searched and all(line["path"] == "/children" for line in searched)
    assert all(len(line["request_id"]) == 16 for line in lines if line.get("rule") == "/sign-in")


def test_a_signed_out_request_has_a_fresh_request_id_and_no_user(debug_app, capsys):
    response = debug_app.test_client().get("/sign-in", headers={"X-Request-Id": "bad id!"})
    sent = response.headers["X-Request-Id"]
    assert len(sent) == 16 and sent != "bad id!"
    [line] = [line for line in json_lines(capsys.readouterr().err) if line["message"] == "request"]
    assert line["request_id"] == sent and "user_id" not in line and line["level"] == "INFO"


def child_instance(db, child_id: int) -> int:
    from engine.models.instances import instances_for_child

    [instance] = instances_for_child(db, child_id)
    return instance.id


def csrf_of(client, path: str) -> str:
    from tests.webui.conftest import csrf

    return csrf(client, path)


def test_a_family_token_is_kept_out_of_the_log_even_where_no_route_matched(debug_app, capsys):
    client = debug_app.test_client()
    client.get("/family/s3cret-token")
    client.get("/family/s3cret-token/no/such/page")
    lines = [line for line in json_lines(capsys.readouterr().err) if line["message"] == "request"]
    assert len(lines) == 2 and "s3cret" not in str(lines)
    assert [line["path"] for line in lines] == ["/family/<token>", "/family/<token>/no/such/page"]


def test_a_scheduler_tick_skipped_while_the_last_run_goes_on_is_not_logged(capsys):
    """By design each job runs one at a time: its skipped ticks are not news every second."""
    logs.configure("INFO")
    try:
        scheduler = logging.getLogger("apscheduler.scheduler")
        skipped = 'Execution of job "%s" skipped: maximum number of running instances reached (%d)'
        scheduler.warning(skipped, "sweep_timers", 1)
        scheduler.warning("Run time of job %s was missed by %s", "send_mail", "0:00:03")
        lines = json_lines(capsys.readouterr().err)
        assert [line["message"] for line in lines] == [
            "Run time of job send_mail was missed by 0:00:03"
        ]
        logs.configure("DEBUG")  # then everything APScheduler says is shown
        scheduler.warning(skipped, "sweep_timers", 1)
        assert "skipped" in capsys.readouterr().err
    finally:
        logs.configure("WARNING")


def test_spiffworkflow_does_not_walk_a_workflow_for_log_lines_nobody_reads(monkeypatch):
    """Below INFO on its own logger it lists every task of a workflow in a log line's extras."""
    from SpiffWorkflow.workflow import Workflow

    walks = []
    monkeypatch.setattr(Workflow, "get_tasks", lambda *a, **k: walks.append(1) or iter(()))
    logs.configure("INFO")
    try:
        workflow = type("W", (), {"spec": type("S", (), {"name": "icpc"})()})()
        workflow.success, workflow.completed = True, False
        workflow.task_tree = type("T", (), {"id": "root"})()
        Workflow.collect_log_extras(workflow)
        assert walks == []
        logs.configure("DEBUG")  # asked for: then the extras are complete
        Workflow.collect_log_extras(workflow)
        assert walks == [1]
    finally:
        logs.configure("WARNING")
