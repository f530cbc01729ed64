"""Administrators search the audit trail; every look at a child's record is in it."""

import csv
import io
import json

from sqlalchemy import select

from engine.models import AuditEvent, CasePerson, WithheldItem, audit
from engine.workflow import timers
from tests.factories import STRATEGY, complete, make_user, start_icpc
from tests.webui.conftest import page, sign_in


def test_a_look_at_a_case_and_a_refused_look_are_both_audited(client, db, web_engine):
    staff, child, _ = start_icpc(db, web_engine)
    make_user(db, "sw2", "social_worker")
    sign_in(client, "sw")
    client.get(f"/children/{child.id}")
    other = client.application.test_client()
    sign_in(other, "sw2")
    assert other.get(f"/children/{child.id}").status_code == 403
    events = db.execute(
        select(AuditEvent.actor_name, AuditEvent.action).where(AuditEvent.child_id == child.id)
    ).all()
    assert ("sw", "child.viewed") in events and ("sw2", "child.access_refused") in events


def test_an_administrator_finds_who_looked_at_a_child(client, db, web_engine):
    staff, child, _ = start_icpc(db, web_engine)
    make_user(db, "admin", "administrator", team=None)
    viewer = client.application.test_client()
    sign_in(viewer, "tm")
    viewer.get(f"/children/{child.id}")
    sign_in(client, "admin")
    response = client.get(f"/audit?child={child.reference}&action=child.viewed")
    assert response.status_code == 200
    html = page(response)
    assert html.title.string.startswith("Audit trail")
    rows = html.select("#audit-events tbody tr")
    assert len(rows) == 1 and "tm" in rows[0].get_text()


def test_a_bad_date_or_unknown_child_is_a_clear_error(client, db):
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    response = client.get("/audit?from=yesterday&child=C999999")
    assert response.status_code == 400
    summary = page(response).select_one(".govuk-error-summary").get_text()
    assert "Enter a date" in summary and "no child with that reference" in summary


def test_a_date_at_the_end_of_the_calendar_is_a_clear_error(client, db):
    """A search "to 9999-12-31" went up to the next day, which no date can hold: OverflowError,
    in the page and in the CSV export."""
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    for path in ("/audit", "/audit.csv"):
        for query in ("to=9999-12-31", "from=9999-12-31", "from=0001-01-01&to=9999-12-31"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query, response.status_code)
            assert "Enter a date from 1900 to 2999" in response.get_data(as_text=True)


def test_the_csv_export_is_itself_audited(client, db, web_engine):
    start_icpc(db, web_engine)
    make_user(db, "admin", "administrator", team=None)
    sign_in(client, "admin")
    response = client.get("/audit.csv?action=instance")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("at,user,action")
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is not None


def test_the_search_by_child_finds_every_change_to_the_case(
    client, db, web_engine, clock, sessions
):
    """A completed step and a fired timer name only their instance when recorded; both carry
    the child, so the search by child finds them, and the CSV's detail is JSON."""
    staff, child, instance = start_icpc(db, web_engine)
    complete(db, web_engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    clock.advance(days=40)
    timers.sweep(sessions, web_engine, "worker")
    make_user(db, "admin", "administrator", team=None)
    actions = {
        (e.action, e.child_id)
        for e in db.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance.id))
    }
    assert ("task.completed", child.id) in actions and ("timers.fired", child.id) in actions
    sign_in(client, "admin")
    response = client.get(f"/audit.csv?child={child.reference}")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    found = {r["action"] for r in rows}
    assert {"task.completed", "timers.fired", "instance.started"} <= found
    detail = json.loads(next(r for r in rows if r["action"] == "task.completed")["detail"])
    assert isinstance(detail, dict)


def test_an_address_withheld_from_an_administrator_is_not_in_their_audit_trail(
    client, db, web_engine, clock
):
    """An event's detail quotes the mother's address, written without its commas; it is
    withheld from one administrator (say, a relative). Their page and CSV leave it out; the
    other administrator's show it."""
    address = "Flat 2, Refuge House, 8 Quiet Lane"
    staff, child, _ = start_icpc(db, web_engine)
    first = make_user(db, "admin", "administrator", team=None)
    make_user(db, "admin2", "administrator", team=None)
    mother = CasePerson(child_id=child.id, kind="family", name="Grace Okoye", address=address)
    db.add(mother)
    db.flush()
    db.add(
        WithheldItem(
            child_id=child.id,
            record="person",
            record_id=mother.id,
            field="address",
            from_user_id=first.id,
            reason="A relative of the family.",
            by_id=staff["chair"].id,
        )
    )
    quoted = "Flat 2 Refuge House 8 Quiet Lane"
    audit.record(db, staff["sw"], "note.added", clock.now(), child_id=child.id, what=quoted)
    db.commit()
    for username, shown in (("admin", False), ("admin2", True)):
        reader = client.application.test_client()
        sign_in(reader, username)
        for path in (f"/audit?child={child.reference}", f"/audit.csv?child={child.reference}"):
            body = reader.get(path).get_data(as_text=True)
            assert ("Refuge House" in body) is shown, (username, path)
            assert "note.added" in body
