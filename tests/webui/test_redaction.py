"""The response scrub: withheld text is replaced in a response about the child, as the request
left it. The routes made here name the child (as every page about one child does), since the
scrub looks only for what is withheld in the record of the child a response is about."""

from __future__ import annotations

from engine.models import CasePerson, WithheldItem
from engine.platform.db import transaction
from tests.factories import make_child, make_staff
from tests.webui.conftest import sign_in, statements_by_transaction
from webui import extensions

ADDRESS = "Flat 3, Refuge House, 12 Hidden Lane"
PHONE = "07700 900123"


def _setting(db, engine):
    staff = make_staff(db)
    child = make_child(db, engine, staff["sw"])
    person = CasePerson(child_id=child.id, kind="family", name="Grace", address=ADDRESS)
    person.phone = PHONE
    db.add(person)
    db.commit()
    return staff, person


def _withhold(session, staff, person, field):
    session.add(
        WithheldItem(
            child_id=person.child_id,
            record="person",
            record_id=person.id,
            field=field,
            from_user_id=staff["police"].id,
            reason="She has fled.",
            by_id=staff["chair"].id,
        )
    )


def test_a_request_that_withholds_and_shows_the_text_is_scrubbed_after_its_commit(app, db, engine):
    staff, person = _setting(db, engine)

    @app.get("/_test/children/<id:child_id>/withhold-then-show")
    def withhold_then_show(child_id):
        session = extensions.db()
        with transaction(session):
            _withhold(session, staff, person, "address")
        return {"address": ADDRESS}

    client = app.test_client()
    sign_in(client, "police")
    seen = statements_by_transaction(app)
    path = f"/_test/children/{person.child_id}/withhold-then-show"
    body = client.get(path).get_data(as_text=True)
    assert ADDRESS not in body and "[withheld]" in body
    # The write transaction holds only the write; the scrub reads in the next one.
    assert len(seen) == 2
    writes, reads = seen
    assert not any(sql.startswith("SELECT") and "withheld_items" in sql for sql in writes)
    assert any(sql.startswith("SELECT") and "withheld_items" in sql for sql in reads)


def test_a_write_after_the_last_commit_is_seen_by_the_scrub(app, db, engine):
    staff, person = _setting(db, engine)

    @app.get("/_test/children/<id:child_id>/commit-then-write")
    def commit_then_write(child_id):
        session = extensions.db()
        with transaction(session):
            _withhold(session, staff, person, "address")
        _withhold(session, staff, person, "phone")
        session.flush()  # not committed: rolled back when the request ends
        return {"address": ADDRESS, "phone": PHONE}

    client = app.test_client()
    sign_in(client, "police")
    body = client.get(f"/_test/children/{person.child_id}/commit-then-write").get_data(as_text=True)
    assert ADDRESS not in body and PHONE not in body
