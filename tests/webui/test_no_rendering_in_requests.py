"""No PDF or Word file is rendered inside a completion request: a step that sends documents
records their data, frozen, and the files are rendered from it when a copy is printed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.documents import document_render, print_queue
from engine.models import Conference, DocumentRecord, PostedLetter
from tests.factories import INVITATIONS, STRATEGY, ready
from tests.webui.test_api import started, world  # noqa: F401 - the API's fixture

BOOKING = {
    "conference_date": "2026-03-16",
    "conference_time": "10:00",
    "chair": "chair",
    "venue": "Civic Centre, Room 2",
}


@pytest.fixture
def renders(monkeypatch):
    """Every call of the renderer's entry points: (name, the data or page it was given)."""
    calls = []
    for name in ("render", "render_html", "to_pdf", "to_docx"):
        real = getattr(document_render, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append((_name, args[0]))
            return _real(*args, **kwargs)

        monkeypatch.setattr(document_render, name, counted)
    return calls


def test_completions_render_nothing_and_the_print_shows_what_was_sent(world, db, renders):  # noqa: F811
    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    assert apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY}).status_code == 200
    booking = ready(db, instance["id"])["book_conference"]
    done = apis["bs"].post(f"/tasks/{booking.id}/complete", {"data": BOOKING})
    assert done.status_code == 200, done.json
    invite = ready(db, instance["id"])["send_invitations"]
    done = apis["bs"].post(f"/tasks/{invite.id}/complete", {"data": INVITATIONS})
    assert done.status_code == 200, done.json
    assert renders == []  # three completions, two documents sent: nothing rendered

    sent = db.scalars(select(DocumentRecord).order_by(DocumentRecord.id)).all()
    assert [r.kind for r in sent] == ["invitation", "agenda"]
    assert all(r.data["conference"]["venue"] == "Civic Centre, Room 2" for r in sent)
    conference = db.scalars(select(Conference)).one()
    conference.venue = "Town Hall"  # moved after the letters went out
    db.commit()
    letters = db.scalars(select(PostedLetter).where(PostedLetter.kind == "invitation")).all()
    letter = next(p for p in letters if p.person.name == "Grace Okoye")
    produced = print_queue.letter_pdf(db, accounts["bs"], letter.id, conference.created_at)
    assert produced.content.startswith(b"%PDF")
    printed = [data for name, data in renders if name == "render_html"]
    assert printed[0]["conference"]["venue"] == "Civic Centre, Room 2"
    assert [i["name"] for i in printed[0]["invitations"]] == ["Grace Okoye"]  # hers alone
