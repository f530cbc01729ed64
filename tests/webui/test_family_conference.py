"""Brothers and sisters recorded on the child's page, their conferences joined (issue 22)."""

from sqlalchemy import select

from engine.models import Conference, DocumentRecord, HumanTask
from engine.models.people import Child
from tests.engine.documents.test_documents import docx_text
from tests.processes.driver import Case
from tests.webui.conftest import post_form, sign_in


def test_siblings_are_recorded_and_their_conferences_joined_from_the_pages(
    client, db, web_engine, clock
):
    case = Case(db, web_engine, clock, reload=False)
    ada = case.sibling("Ada")
    case.at("2026-12-18 14:00")
    for child in (case, ada):
        child.start()
        child.do("record_strategy_discussion")
    case.at("2026-12-21 10:00")
    case.do("book_conference")
    sign_in(client, "sw")
    refused = post_form(client, f"/children/{case.child.id}/siblings", {"sibling_reference": "X"})
    assert refused.status_code == 400
    linked = post_form(
        client, f"/children/{case.child.id}/siblings", {"sibling_reference": ada.child.reference}
    )
    assert linked.status_code == 302
    page = client.get(f"/children/{ada.child.id}").get_data(as_text=True)
    assert case.child.full_name in page and "No brother or sister" not in page

    own, theirs = (
        db.scalars(select(Conference).where(Conference.child_id == c.child.id)).one()
        for c in (ada, case)
    )
    page = client.get(f"/conferences/{own.id}").get_data(as_text=True)
    assert "Join the family conference" in page and db.get(Child, case.child.id).full_name in page
    nothing = post_form(client, f"/conferences/{own.id}/join", {})
    assert nothing.status_code == 400 and "Select the brother" in nothing.get_data(as_text=True)
    joined = post_form(client, f"/conferences/{own.id}/join", {"sibling_conference": theirs.id})
    assert joined.status_code == 302
    page = client.get(f"/conferences/{theirs.id}").get_data(as_text=True)
    assert 'id="family-conference"' in page and ada.child.full_name in page
    db.expire_all()
    assert db.get(Conference, own.id).scheduled_on == db.get(Conference, theirs.id).scheduled_on

    # Ada's own booking step was done as she joined: not in the inbox, a second go refused.
    booked = db.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == own.instance_id, HumanTask.task_spec == "book_conference"
        )
    ).one()
    sign_in(client, "bs")
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"/tasks/{booked.id}" not in inbox
    assert f"/tasks/{ada.ready()['send_invitations'].id}" in inbox
    again = post_form(client, f"/tasks/{booked.id}", {"conference_date": "2027-01-12"})
    assert again.status_code == 409 and "already been completed" in again.get_data(as_text=True)
    # One set of invitations for both: each child's page lists it, each reader's own copy.
    sign_in(client, "sw")
    case.do("send_invitations")  # Ada's own invitations step is done with it
    assert "send_invitations" not in ada.ready()
    for row in (own, theirs):
        page = client.get(f"/conferences/{row.id}").get_data(as_text=True)
        assert 'id="family-documents"' in page and "Invitation letters, sent" in page
        assert "In the family's document sent" in page or row is theirs
    record = db.scalars(
        select(DocumentRecord).where(
            DocumentRecord.kind == "invitation", DocumentRecord.purpose == "sent"
        )
    ).one()
    word = client.get(f"/conferences/{own.id}/family-documents/{record.id}.docx")
    assert word.status_code == 200 and ada.child.full_name in docx_text(word.data)
    assert client.get(f"/conferences/{own.id}/family-documents/{record.id}.txt").status_code == 404


def test_a_conference_to_join_that_is_not_a_plain_number_is_asked_for_again(
    client, db, web_engine, clock
):
    """A "²" passes `str.isdigit` but not `int`, and 23 digits overflow an integer column:
    both were server errors. Each is the page again, asking for the conference."""
    case = Case(db, web_engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    own = db.scalars(select(Conference).where(Conference.child_id == case.child.id)).one()
    sign_in(client, "sw")
    for chosen in ("²", "99999999999999999999999", "9" * 5000, "-1", f" {own.id}"):
        answer = post_form(client, f"/conferences/{own.id}/join", {"sibling_conference": chosen})
        assert answer.status_code == 400, chosen[:10]
        assert "Select the brother" in answer.get_data(as_text=True)
    db.expire_all()
    assert db.get(Conference, own.id).group_id is None
