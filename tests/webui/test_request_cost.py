"""What every authenticated API request pays around its own work: the token check and the
withheld-information net, and nothing else (the council settings are asked for at most
every few seconds). A revoked token still fails on the very next request. A completion
reads its form's pin once per app and deletes drafts only of a task that has some."""

from __future__ import annotations

import re

from engine.access import tokens
from engine.models import council_settings
from engine.models.tokens import tokens_of
from tests.factories import (
    BOOKING,
    INVITATIONS,
    STRATEGY,
    deploy_processes,
    make_child,
    make_service_account,
    make_staff,
    make_token,
    ready,
)
from tests.webui.conftest import statements_by_transaction

TABLE = re.compile(r"(?:FROM|UPDATE|INTO)\s+(\w+)")
REPORT = {
    "data": {
        "report_completed_date": "2026-03-02",
        "report_shared_date": "2026-03-02",
        "report_summary": "Amara disclosed at school that she had been hit.",
    }
}


def _tables(sql: str) -> str:
    return f"{sql.split()[0].upper()} {TABLE.search(sql).group(1)}"


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_trivial_api_request_reads_its_token_and_what_is_withheld_only(
    app, client, db, monkeypatch
):
    monkeypatch.setattr(council_settings, "RECHECK_SECONDS", 3600.0)
    make_service_account(db, "sw_sys", "social_worker")
    headers = {"Authorization": f"Bearer {make_token(db, 'sw_sys')}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # records first use
    seen = statements_by_transaction(app)
    for path in ("/api/v1/me", "/api/v1/tasks?scope=mine"):
        assert client.get(path, headers=headers).status_code == 200
    statements = [_tables(sql) for transaction in seen for sql in transaction]
    assert statements == [
        "SELECT api_tokens",  # the token, its account and the account's roles: one read
        "SELECT withheld_items",  # the response's net: nothing is withheld from this account
        "SELECT api_tokens",
        "SELECT human_tasks",  # the inbox itself
        "SELECT withheld_items",
    ]


def test_a_revoked_token_fails_on_the_very_next_request(app, client, db, clock):
    account = make_service_account(db, "sw_sys", "social_worker")
    headers = {"Authorization": f"Bearer {make_token(db, 'sw_sys')}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    tokens.revoke(db, tokens_of(db, account.id)[0].id, "admin", clock.now())
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_completion_reads_a_pinned_form_once_and_deletes_no_drafts_it_lacks(
    app, client, db, web_engine
):
    account = make_service_account(db, "sw_sys", "social_worker")
    headers = {"Authorization": f"Bearer {make_token(db, 'sw_sys')}"}
    deploy_processes(db)
    children = [make_child(db, web_engine, account, given=name) for name in ("Amara", "Tobi")]
    completions = []
    for child in children:
        started = client.post("/api/v1/instances", headers=headers, json={"child_id": child.id})
        task = started.json["ready_tasks"][0]["id"]
        seen = statements_by_transaction(app)
        done = client.post(
            f"/api/v1/tasks/{task}/complete", headers=headers, json={"data": STRATEGY}
        )
        assert done.status_code == 200, done.json
        completions.append([_tables(sql) for transaction in seen for sql in transaction])
    first, second = completions
    pin = "SELECT process_versions"  # the version's pin (or that it has none) for the form
    assert pin in first and pin not in second
    assert len(second) == len(first) - 1  # nothing else changed
    for statements in completions:
        assert "DELETE task_drafts" not in statements  # nobody had saved a draft
        assert statements[-1] == "SELECT withheld_items"  # the net still reads, last


def test_a_completion_names_who_holds_each_open_task_without_reading_them_apart(
    app, client, db, web_engine
):
    """The answer lists the case's open tasks with their holders: those held by someone the
    request has not met (the chair of the booked conference) come with the task rows."""
    make_staff(db)  # the chair the booking names
    sw = make_service_account(db, "sw_sys", "social_worker")
    make_service_account(db, "bs_sys", "business_support", team=None)
    deploy_processes(db)
    child = make_child(db, web_engine, sw)
    tokens = {name: make_token(db, name) for name in ("sw_sys", "bs_sys")}
    started = client.post(
        "/api/v1/instances", headers=_bearer(tokens["sw_sys"]), json={"child_id": child.id}
    )
    for spec, by, data in (
        ("record_strategy_discussion", "sw_sys", STRATEGY),
        ("book_conference", "bs_sys", BOOKING),
        ("send_invitations", "bs_sys", INVITATIONS),
    ):
        task = ready(db, started.json["id"])[spec].id
        done = client.post(
            f"/api/v1/tasks/{task}/complete", headers=_bearer(tokens[by]), json={"data": data}
        )
        assert done.status_code == 200, done.json
    held = {t["task"]: t["assignee"] for t in done.json["ready_tasks"]}
    assert held["social_worker_report"] == "sw_sys" and held["hold_conference"] == "chair"

    report = ready(db, started.json["id"])["social_worker_report"].id
    seen = statements_by_transaction(app)
    done = client.post(
        f"/api/v1/tasks/{report}/complete", headers=_bearer(tokens["sw_sys"]), json=REPORT
    )
    assert done.status_code == 200, done.json
    held = {t["task"]: t["assignee"] for t in done.json["ready_tasks"]}
    assert held == {"agency_report": None, "chair_pre_contact": "chair", "hold_conference": "chair"}
    statements = [sql for transaction in seen for sql in transaction]
    assert _tables(statements[-1]) == "SELECT withheld_items"  # nothing read after the step
    assert "SELECT users" not in [_tables(sql) for sql in statements]  # the chair included
