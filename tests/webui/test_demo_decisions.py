"""The demo shows a newcomer what a chair's agreed requests do (issue 21)."""

from sqlalchemy import select

from engine.models import ConferenceRequest, WithheldItem
from engine.models.people import Child
from tests.factories import deploy_processes
from tests.webui.conftest import page, sign_in
from webui import demo


def test_the_demo_has_an_agreed_withholding_and_an_exclusion(client, db, web_engine):
    deploy_processes(db)
    demo.load(db, web_engine)
    finn = db.scalars(select(Child).where(Child.given_name == "Finn")).one()
    item = db.scalars(select(WithheldItem).where(WithheldItem.child_id == finn.id)).one()
    assert (item.record, item.field) == ("person", "address")
    decided = {r.kind: r for r in db.scalars(select(ConferenceRequest))}
    assert decided["withhold"].decision == decided["exclude"].decision == "agreed"

    sign_in(client, "chair1", demo.PASSWORD)
    html = page(client.get(f"/children/{finn.id}/withheld"))
    items = " ".join(html.select_one("#withheld-items").text.split())
    assert "Parent Two" in items and "Risk of harm to the mother and child." in items
    decisions = " ".join(html.select_one("#request-decisions").text.split())
    assert "Parent One's address from Parent Two" in decisions
    assert "Excluded from: The police report and the discussion of it" in decisions
