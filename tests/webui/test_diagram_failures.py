"""The process owner's failures page: what a version caused, drawn on it, and retry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.diagrams import diagram_editing
from engine.diagrams.version_moves import Selection, VersionMoves
from engine.models import ProcessInstance
from engine.platform import settings
from engine.workflow import timers
from tests.engine.operations.test_diagram_failures import CASE, END_OF_4_MARCH, FIXED, RUNAWAY
from tests.factories import make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in


@pytest.fixture
def world(db, sessions, web_engine, clock):
    staff = make_staff(db)
    owner = make_user(db, "owner", "process_owner", team=None)
    v1, _new = diagram_editing.deploy(
        db, owner, "runaway_timer", RUNAWAY, "first", lambda key: True, clock.now()
    )
    case = web_engine.start(db, "runaway_timer", staff["sw"], dict(CASE))
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    with settings.using(expression_time_limit_seconds=0.1):
        timers.sweep(sessions, web_engine, "worker-a")
    return {"owner": owner, "v1": v1, "case": case}


def url(version, tail=""):
    return f"/diagrams/runaway_timer/versions/{version.id}/failures{tail}"


def test_the_owner_sees_each_failed_timer_with_its_cases_and_counts(client, world):
    sign_in(client, "owner")
    html = page(client.get(url(world["v1"])))
    [row] = html.select("#failures tbody tr")
    assert row["data-element"] == "count" and row["data-kind"] == "timer"
    text = row.get_text(" ", strip=True)
    assert "Count for ever" in text and "script over its limit" in text
    assert world["case"].reference in text
    assert "Fix the diagram and deploy it, move these cases" in text and not row.select("form")
    assert html.select_one("#failure-diagram")["data-counts"] == url(world["v1"], ".json")
    assert client.get(url(world["v1"], ".json")).get_json() == {"elements": {"count": 1}}
    versions = page(client.get("/diagrams/runaway_timer/versions"))
    assert versions.select_one(f'a[href="{url(world["v1"])}"]')


def test_others_cannot_see_the_failures(client, world):
    sign_in(client, "tm")
    assert client.get(url(world["v1"])).status_code == 403


def test_retry_once_the_cases_are_on_a_fixed_version(client, db, web_engine, clock, world):
    clock.advance(minutes=5)
    v2, _new = diagram_editing.deploy(
        db, world["owner"], "runaway_timer", FIXED, "stop the loop", lambda key: True, clock.now()
    )
    sign_in(client, "owner")
    assert "move these cases to it" in page(client.get(url(world["v1"]))).select_one("#newer").text
    VersionMoves(web_engine).migrate(db, world["owner"], Selection("runaway_timer"), v2.id)
    html = page(client.get(url(v2)))
    [form] = html.select("#failures form")
    response = post_form(client, url(v2, "/retry"), {"element": "count"}, token_from=url(v2))
    assert response.status_code == 302
    done = page(client.get(url(v2)))
    assert "will be tried again within a minute" in done.text
    assert done.select_one("#no-failures")
    db.expire_all()
    assert db.get(ProcessInstance, world["case"].id).timer_attempts == 0
    assert form["action"] == url(v2, "/retry")
