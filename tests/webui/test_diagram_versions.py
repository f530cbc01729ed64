"""Going back to an earlier version: deployed again as the newest, with a reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.models.processes import latest_version, versions_of
from tests.factories import PROCESSES, deploy_processes, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in

CORE_GROUP = (PROCESSES / "core_group.bpmn").read_text()
INTERVAL = 'add_days(core_group_date, 7 * setting("core_group_interval_weeks"))'
EDIT = "/diagrams/core_group/edit"


@pytest.fixture
def owner_client(client, db):
    make_staff(db)
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    sign_in(client, "owner")
    return client


def test_an_earlier_version_is_deployed_again_with_the_reason(owner_client, db):
    first = latest_version(db, "core_group")
    changed = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 28)")
    post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": changed, "comment": "4 weeks"},
        token_from=EDIT,
    )
    second = latest_version(db, "core_group")
    assert second.id != first.id

    listing = page(owner_client.get("/diagrams/core_group/versions"))
    links = [a["href"] for a in listing.select("#versions a") if "Go back" in a.text]
    assert links == [f"/diagrams/core_group/versions/{first.id}/roll-back"]  # not the one in use

    form = page(owner_client.get(links[0]))
    assert form.h1.text == f"Go back to version {first.id}"
    refused = post_form(owner_client, links[0], {"reason": "  "})
    assert refused.status_code == 422
    assert "Say why" in page(refused).select_one("#problem-list").text
    assert latest_version(db, "core_group").id == second.id

    done = post_form(owner_client, links[0], {"reason": "Chairs asked for weekly again"})
    assert done.status_code == 302 and "/migrate?to=" in done.headers["Location"]
    db.expire_all()
    third = latest_version(db, "core_group")
    assert third.id not in (first.id, second.id)
    assert third.content_hash == first.content_hash
    assert third.comment == f"Back to version {first.id}: Chairs asked for weekly again"
    assert [v.id for v in versions_of(db, "core_group")] == [third.id, second.id, first.id]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "process.deployed")).all()[-1]
    assert event.detail["version_id"] == third.id

    again = post_form(owner_client, links[0], {"reason": "Twice"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/versions")


def test_a_version_of_another_process_cannot_be_rolled_back_to(owner_client, db):
    icpc = latest_version(db, "icpc")
    response = owner_client.get(f"/diagrams/core_group/versions/{icpc.id}/roll-back")
    assert response.status_code == 404
