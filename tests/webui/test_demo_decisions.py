"""The demo shows a newcomer what a chair's agreed requests do (issue 21)."""

from sqlalchemy import select

from engine.models import Conference, ConferenceRequest, WithheldItem
from engine.models.people import Child
from tests import demo_copy
from tests.webui.conftest import page, sign_in
from webui import demo, demo_stories


def test_the_demo_has_an_agreed_withholding_and_an_exclusion(client, db, web_engine):
    demo_copy.load(db, web_engine)
    finn = db.scalars(select(Child).where(Child.given_name == "Finn")).one()
    items = db.scalars(select(WithheldItem).where(WithheldItem.child_id == finn.id)).all()
    assert {(i.record, i.field) for i in items} == {
        ("person", "address"),
        ("report", "summary"),
        ("request", "passage"),
    }
    query = select(ConferenceRequest).join(ConferenceRequest.conference)
    decided = db.scalars(query.where(Conference.child_id == finn.id)).all()
    assert {r.decision for r in decided} == {"agreed"} and len(decided) == 5
    groups = [(i.from_group, i.record) for i in items if i.from_group]
    assert groups == [("family", "request")]  # the referrer, kept from all family members

    sign_in(client, "chair1", demo.PASSWORD)
    html = page(client.get(f"/children/{finn.id}/withheld"))
    items = " ".join(html.select_one("#withheld-items").text.split())
    assert "Parent Two" in items and "Risk of harm to the mother and child." in items
    decisions = " ".join(html.select_one("#request-decisions").text.split())
    assert "Parent One's address from Parent Two" in decisions
    assert "Excluded from: The police report and the discussion of it" in decisions
    assert "Withhold a passage of text from all family members" in decisions
    assert "All family members" in items


def test_the_demo_fathers_copy_of_the_minutes_leaves_out_what_is_kept_from_him(db, web_engine):
    from engine.access import withholding
    from engine.documents import sending
    from engine.models import CasePerson, Conference
    from tests.engine.documents.test_documents import pdf_text

    demo_copy.load(db, web_engine)
    finn = db.scalars(select(Child).where(Child.given_name == "Finn")).one()
    row = db.scalars(
        select(Conference).where(Conference.child_id == finn.id, Conference.kind == "icpc")
    ).one()
    people = {
        p.name: p for p in db.scalars(select(CasePerson).where(CasePerson.child_id == finn.id))
    }
    now, bs = web_engine.clock.now(), finn.social_worker

    def minutes_for(name: str) -> str:
        made = sending.produce_copy(db, bs, row, "minutes", "pdf", people[name].id, now)
        return " ".join(pdf_text(made.content).split())

    father, mother = minutes_for("Parent Two"), minutes_for("Parent One")
    assert "Agency report (Police)" not in father and "Agency report (Police)" in mother
    kept = withholding.values_hidden_from(db, people["Parent Two"], finn.id)
    assert demo_stories.GROUP in kept and "Flat 2, Refuge House, 8 Quiet Lane, Northtown" in kept
    assert demo_stories.REFERRER not in father and demo_stories.REFERRER not in mother
    hidden = withholding.values_hidden_from(db, people["Parent One"], finn.id)
    assert demo_stories.REFERRER in hidden


def test_the_demo_has_an_officers_request_waiting_for_the_chair(db, web_engine):
    demo_copy.load(db, web_engine)
    daniel = db.scalars(select(Child).where(Child.given_name == "Daniel")).one()
    baby = db.scalars(select(Child).where(Child.given_name == "Baby")).one()
    waiting = [r for r in db.scalars(select(ConferenceRequest)) if r.decision is None]
    raisers = [(r.conference.child_id, r.raised_by and r.raised_by.username) for r in waiting]
    # and the health visitor's, raised by her secure link (no account)
    assert sorted(raisers) == sorted([(daniel.id, "police1"), (baby.id, None)])
