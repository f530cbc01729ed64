"""The migration page: check which cases can move, move them, undo a move."""

from __future__ import annotations

import pytest

from engine.models import ProcessInstance
from tests.engine.diagrams.test_version_moves import LATER_DEADLINE, START_DATA, WITHOUT_SECOND
from tests.factories import complete, deploy_test_diagram, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in

MIGRATE = "/diagrams/two_steps/migrate"
EDIT = "/diagrams/two_steps/edit"


@pytest.fixture
def setup(db, client, web_engine, monkeypatch):
    # The test diagram names forms (test/first, ...) that only tests have.
    monkeypatch.setattr("webui.diagrams.views.forms_source", lambda: lambda key: True)
    staff = make_staff(db)
    make_user(db, "owner", "process_owner", team=None)
    v1 = deploy_test_diagram(db, "two_steps")
    at_first = web_engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    at_second = web_engine.start(db, "two_steps", staff["sw"], dict(START_DATA))
    complete(db, web_engine, at_second.id, "first", staff["sw"], start_date="2026-03-02")
    sign_in(client, "owner")
    return {"v1": v1, "at_first": at_first, "at_second": at_second, "staff": staff}


def deploy(client, xml, why):
    response = post_form(
        client, "/diagrams/two_steps/deploy", {"xml": xml, "comment": why}, token_from=EDIT
    )
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("=", 1)[1])


def test_the_check_lists_each_case_with_whether_it_can_move_and_why(client, setup):
    v2 = deploy(client, WITHOUT_SECOND, "review instead")
    response = client.get(MIGRATE, query_string={"check": 1, "to": v2, "from": setup["v1"].id})
    assert response.status_code == 200
    html = page(response)
    assert html.select_one("#dry-run-heading").text == "Check: 1 of 2 can move to version 2"
    rows = {int(r["data-instance"]): r for r in html.select("#dry-run tr[data-instance]")}
    assert rows[setup["at_first"].id]["data-movable"] == "yes"
    assert rows[setup["at_second"].id]["data-movable"] == "no"
    assert (
        "“Do the second step” (second) is not in the new version"
        in rows[setup["at_second"].id].text
    )
    button = html.select_one("#move")
    assert button.text.strip() == "Move 1 case to version 2"


def test_moving_then_undoing_from_the_page(client, db, setup):
    v3 = deploy(client, LATER_DEADLINE, "one more day")
    checked = page(client.get(MIGRATE, query_string={"check": 1, "to": v3}))
    ids = checked.select_one("form[method=post] input[name=ids]")["value"]
    assert sorted(map(int, ids.split())) == [setup["at_first"].id, setup["at_second"].id]

    response = post_form(client, MIGRATE, {"to": v3, "ids": ids}, token_from=EDIT)
    assert response.status_code == 302
    html = page(client.get(response.headers["Location"]))
    assert "2 moved to version" in html.select_one(".govuk-notification-banner").text
    db.expire_all()
    assert db.get(ProcessInstance, setup["at_first"].id).version_id == v3
    [undo_row, _] = html.select("#moves tr[data-move]")

    undone = post_form(
        client,
        f"/diagrams/two_steps/moves/{undo_row['data-move']}/undo",
        {},
        token_from=EDIT,
    )
    assert undone.status_code == 302
    db.expire_all()
    moved_back = [
        i
        for i in (setup["at_first"].id, setup["at_second"].id)
        if db.get(ProcessInstance, i).version_id == setup["v1"].id
    ]
    assert len(moved_back) == 1
    again = post_form(
        client, f"/diagrams/two_steps/moves/{undo_row['data-move']}/undo", {}, token_from=EDIT
    )
    assert again.status_code == 400
    assert "already been undone" in page(again).text


def test_a_bad_case_reference_is_a_clear_message(client, setup):
    response = client.get(MIGRATE, query_string={"check": 1, "ids": "abc!"})
    assert response.status_code == 400
    assert "“abc!” is not a case reference" in page(response).text


def test_case_references_select_cases(client, setup):
    reference = f"TWO-STEPS-{setup['at_first'].id:06d}"
    html = page(client.get(MIGRATE, query_string={"check": 1, "ids": reference}))
    rows = html.select("#dry-run tr[data-instance]")
    assert [int(r["data-instance"]) for r in rows] == [setup["at_first"].id]
    assert "it is on that version already" in rows[0].text.lower()
