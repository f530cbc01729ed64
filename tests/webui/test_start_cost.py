"""What starting a conference through the API costs in statements: the child, the person's
access, a running conference and an open plan are one read (engine/casework/cases.py), so a
start pays for little more than what it writes; its answer's open tasks are the rows it wrote,
not read back."""

from __future__ import annotations

from engine.models import council_settings
from engine.models.instances import open_tasks
from tests.factories import (
    deploy_processes,
    make_child,
    make_service_account,
    make_token,
    make_user,
)
from tests.webui.conftest import statements_by_transaction
from tests.webui.test_request_cost import _tables
from webui.api import shapes


def test_a_start_reads_the_child_and_its_access_in_one_statement(
    app, client, db, web_engine, monkeypatch
):
    monkeypatch.setattr(council_settings, "RECHECK_SECONDS", 3600.0)
    worker = make_service_account(db, "sw_sys", "social_worker")
    make_user(db, "tm", "team_manager")
    deploy_processes(db)
    first, child = make_child(db, web_engine, worker), make_child(db, web_engine, worker, "Bo")
    headers = {"Authorization": f"Bearer {make_token(db, 'sw_sys')}"}
    # The first start records the token's first use and reads the diagram (kept after).
    warm = client.post("/api/v1/instances", headers=headers, json={"child_id": first.id})
    assert warm.status_code == 201, warm.json
    seen = statements_by_transaction(app)
    response = client.post("/api/v1/instances", headers=headers, json={"child_id": child.id})
    assert response.status_code == 201, response.json
    assert response.json["ready_tasks"][0]["task"] == "record_strategy_discussion"
    statements = [_tables(sql) for transaction in seen for sql in transaction]
    assert statements == [
        "SELECT api_tokens",
        "SELECT children",  # with the connection, a running conference and an open plan
        "SELECT users",  # the team manager's username, for the start data
        "SELECT process_versions",
        "SELECT process_catalogue",  # is it retired?
        "INSERT process_instances",
        "UPDATE process_instances",
        "INSERT human_tasks",
        "INSERT audit_events",
        "SELECT withheld_items",
    ]
    # The rows the start wrote, shaped as the database holds them after the commit.
    db.expire_all()
    with app.app_context():
        read_back = [shapes.task(row) for row in open_tasks(db, response.json["id"])]
    assert response.json["ready_tasks"] == read_back
