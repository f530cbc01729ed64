"""What every authenticated API request pays around its own work: the token check and the
withheld-information net, and nothing else (the council settings are asked for at most
every few seconds). A revoked token still fails on the very next request."""

from __future__ import annotations

import re

from engine.access import tokens
from engine.models import council_settings
from engine.models.tokens import tokens_of
from tests.factories import make_service_account, make_token
from tests.webui.conftest import statements_by_transaction

TABLE = re.compile(r"(?:FROM|UPDATE|INTO)\s+(\w+)")


def _tables(sql: str) -> str:
    return f"{sql.split()[0].upper()} {TABLE.search(sql).group(1)}"


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
