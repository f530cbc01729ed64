"""Withheld information never reaches the people it is withheld from: pages, API, CSV, email.

The chair withholds a mother's address from the police officer (by name) and from every team
manager (by role); the test then fetches every page and API response those two can reach and
searches the bytes, while the chair and the social worker still see the address.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Response
from markupsafe import escape
from sqlalchemy import select

from engine.models import CasePerson, OutboxMessage
from tests.webui.authorization_world import build
from tests.webui.conftest import page, post_form, sign_in
from tests.webui.test_authorization_matrix import RULES, url_for_case

ADDRESS = "Flat 3, Refuge House\n12 Hidden Lane, Northtown"
PHONE = "07700 900123"


@pytest.fixture
def world(db, engine, quick_password_hashing):
    return build(db, engine)


@pytest.fixture
def mother(client, world, db):
    sign_in(client, "sw")
    response = post_form(
        client,
        f"/children/{world.own.child_id}/people/new",
        {
            "kind": "family",
            "name": "Grace Okoye",
            "relationship_or_agency": "Mother",
            "address": ADDRESS,
            "phone": PHONE,
        },
    )
    assert response.status_code == 302
    client.post("/sign-out", data={"csrf_token": ""})
    return db.scalar(select(CasePerson).where(CasePerson.name == "Grace Okoye"))


def withhold(app, world, person, audience):
    client = app.test_client()
    sign_in(client, "chair")
    path = f"/children/{world.own.child_id}/withheld"
    response = post_form(
        client,
        path,
        {
            "what": f"person:{person.id}:address",
            "audience": audience,
            "reason": "She has fled domestic abuse.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return client


def secret_fragments() -> list[bytes]:
    return [part.encode() for part in (ADDRESS, *ADDRESS.splitlines())] + [
        ADDRESS.encode("unicode_escape")
    ]


ASSETS = ("govuk_assets", "govuk_frontend", "static", "vendor")


def every_get_response(app, username, world):
    """Every GET route for this person, own case and other; documents read back as text."""
    client = app.test_client()
    sign_in(client, username)
    for endpoint, method in sorted(RULES):
        if method != "GET" or endpoint in ASSETS or endpoint.startswith("family."):
            continue  # family links show the family's view: tested on their own below
        for own in (True, False):
            for file_format in ("docx", "pdf") if endpoint == "documents.download" else (None,):
                path = url_for_case(app, endpoint, world, own)
                if file_format:
                    path = path.rsplit(".", 1)[0] + "." + file_format
                response = client.get(path, follow_redirects=True)
                yield endpoint, as_text_bytes(response)
                response.close()


def as_text_bytes(response) -> bytes:
    """The body, with Word and PDF documents turned into their text so a search can see it."""
    body = response.get_data()
    if body.startswith(b"PK"):
        import io

        import docx

        document = docx.Document(io.BytesIO(body))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells).encode()
    if body.startswith(b"%PDF-1.") and len(body) > 100:
        import io

        from pypdf import PdfReader

        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).encode()
    return body


@pytest.mark.parametrize(
    ("username", "audience"), [("police", "user:police"), ("tm", "role:team_manager")]
)
def test_a_withheld_address_is_in_no_response_for_them(app, world, mother, username, audience):
    withhold(app, world, mother, audience)
    leaks = [
        endpoint
        for endpoint, body in every_get_response(app, username, world)
        for fragment in [*secret_fragments(), b"[withheld]"]  # the backstop must not be needed
        if fragment in body
    ]
    assert leaks == []


def test_the_chair_and_the_social_worker_still_see_it(app, world, mother):
    chair = withhold(app, world, mother, "role:team_manager")
    html = chair.get(f"/children/{world.own.child_id}").get_data(as_text=True)
    assert "12 Hidden Lane, Northtown" in html
    sw = app.test_client()
    sign_in(sw, "sw")
    assert "12 Hidden Lane, Northtown" in sw.get(f"/children/{world.own.child_id}").get_data(
        as_text=True
    )


def test_the_team_manager_is_told_it_is_withheld(app, world, mother):
    withhold(app, world, mother, "role:team_manager")
    client = app.test_client()
    sign_in(client, "tm")
    people = page(client.get(f"/children/{world.own.child_id}")).select_one("#people-involved")
    assert "Address: withheld from you" in people.get_text()
    assert PHONE in people.get_text()  # only the address was withheld


def test_no_email_carries_it(app, world, mother, db):
    withhold(app, world, mother, "user:police")
    bodies = [m.subject + m.body for m in db.scalars(select(OutboxMessage))]
    assert bodies and not any("Hidden Lane" in b or "Grace" in b for b in bodies)


def test_a_page_that_forgot_to_redact_is_scrubbed_on_the_way_out(make_app, world, mother):
    app = make_app()

    @app.route("/test-leak")
    def leak():
        return Response(f"<p>{ADDRESS}</p>", mimetype="text/html")

    withhold(app, world, mother, "user:police")
    client = app.test_client()
    sign_in(client, "police")
    body = client.get("/test-leak").get_data(as_text=True)
    assert "Hidden Lane" not in body and "[withheld]" in body


def test_lifting_it_shows_it_again_and_both_are_audited(app, world, mother, db):
    from engine.models import AuditEvent, WithheldItem

    chair = withhold(app, world, mother, "user:police")
    item = db.scalar(select(WithheldItem).where(WithheldItem.record_id == mother.id))
    path = f"/children/{world.own.child_id}/withheld/{item.id}/lift"
    response = post_form(chair, path, {}, token_from=f"/children/{world.own.child_id}/withheld")
    assert response.status_code == 302
    actions = set(
        db.scalars(select(AuditEvent.action).where(AuditEvent.child_id == world.own.child_id))
    )
    assert {"information.withheld", "information.released"} <= actions


def test_a_reason_is_required(app, world, mother):
    client = app.test_client()
    sign_in(client, "chair")
    path = f"/children/{world.own.child_id}/withheld"
    response = post_form(
        client,
        path,
        {"what": f"person:{mother.id}:address", "audience": "user:police", "reason": ""},
    )
    assert response.status_code == 400
    assert page(response).select_one(".govuk-error-summary") is not None


REPORT_TEXT = "Third-party intelligence: an associate with convictions visits the home."


def test_a_withheld_report_is_in_no_page_or_document_for_them(app, world, db):
    from engine.models import Report

    report = db.get(Report, world.own.report_id)
    report.summary = REPORT_TEXT
    db.commit()
    chair = app.test_client()
    sign_in(chair, "chair")
    path = f"/children/{world.own.child_id}/withheld"
    response = post_form(
        chair,
        path,
        {
            "what": f"report:{report.id}:summary",
            "audience": "role:team_manager",
            "reason": "Police intelligence, not to be shared beyond the core group.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    conference_page = chair.get(f"/conferences/{world.own.conference_id}").get_data(as_text=True)
    assert REPORT_TEXT in conference_page
    leaks = [
        endpoint
        for endpoint, body in every_get_response(app, "tm", world)
        # [withheld] would mean the response scrubber, the backstop, had to catch it
        if REPORT_TEXT.encode() in body or b"with convictions" in body or b"[withheld]" in body
    ]
    assert leaks == []
    tm = app.test_client()
    sign_in(tm, "tm")
    assert tm.get(f"/report-files/{world.own.file_id}").status_code == 403


def test_a_report_withheld_from_a_parent_is_not_on_their_link(app, world, db):
    from engine.models import Report, WithheldItem

    report = db.get(Report, world.own.report_id)
    report.summary = REPORT_TEXT
    grace = db.get(WithheldItem, world.own.item_id).record_id  # the parent the link is for
    db.commit()
    chair = app.test_client()
    sign_in(chair, "chair")
    before = app.test_client().get(f"/family/{world.own.token}").get_data(as_text=True)
    assert "Third-party intelligence" in before  # shared with the parents, so on the link
    response = post_form(
        chair,
        f"/children/{world.own.child_id}/withheld",
        {
            "what": f"report:{report.id}:summary",
            "audience": f"person:{grace}",
            "reason": "It would identify the person who told the police.",
        },
    )
    assert response.status_code == 302
    family = app.test_client()
    after = family.get(f"/family/{world.own.token}").get_data(as_text=True)
    assert "Third-party intelligence" not in after and "[withheld]" not in after
    assert family.get(f"/family/{world.own.token}/files/{world.own.file_id}").status_code == 404


LONG_REPORT = "Third-party intelligence: " + "an associate with convictions visits the home. " * 6


def _withhold_report(app, world, audience: str) -> None:
    chair = app.test_client()
    sign_in(chair, "chair")
    response = post_form(
        chair,
        f"/children/{world.own.child_id}/withheld",
        {
            "what": f"report:{world.own.report_id}:summary",
            "audience": audience,
            "reason": "Police intelligence, not to be shared beyond the core group.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_a_report_withheld_from_them_is_not_beside_their_task(app, world, db):
    from engine.models import Report

    report = db.get(Report, world.own.report_id)
    report.summary, report.submitted_on = LONG_REPORT, report.shared_with_parents_on
    db.commit()
    bs = app.test_client()
    sign_in(bs, "bs")
    before = page(bs.get(f"/tasks/{world.own.task_id}")).select_one("#context-reports")
    assert before is not None and "Third-party intelligence" in before.text
    _withhold_report(app, world, "role:business_support")
    after = bs.get(f"/tasks/{world.own.task_id}").get_data(as_text=True)
    assert "Third-party" not in after and "convictions" not in after
    assert "[withheld]" not in after  # left out by the read model, not by the last net


def test_a_guessed_address_in_a_query_string_is_no_oracle(app, world, mother):
    withhold(app, world, mother, "user:police")
    client = app.test_client()
    sign_in(client, "police")
    line = ADDRESS.splitlines()[1]  # "12 Hidden Lane, Northtown"
    for right, wrong in (
        (line, line.replace("12", "14")),
        (line.upper(), line.upper().replace("12", "14")),
        (ADDRESS, ADDRESS.replace("Flat 3", "Flat 4")),
    ):
        for path in ("/inbox?child={}", f"/children/{world.own.child_id}?q={{}}"):
            bodies = [
                client.get(path.format(quote(guess))).get_data(as_text=True)
                for guess in (right, wrong)
            ]
            assert ["[withheld]" in body for body in bodies] == [False, False], path
    echoed = client.get(f"/inbox?child={quote(line)}").get_data(as_text=True)
    assert str(escape(line)) in echoed  # the inbox echoes the search: the old oracle


def test_another_childs_pages_keep_their_text(app, world, db):
    """The same line in a report withheld on one child's record is not blanked on another's."""
    from engine.models import Report

    own, other = db.get(Report, world.own.report_id), db.get(Report, world.other.report_id)
    assert own.summary == other.summary == "Known to us."
    _withhold_report(app, world, "role:service_manager")
    sm = app.test_client()
    sign_in(sm, "sm")
    other_page = sm.get(f"/conferences/{world.other.conference_id}").get_data(as_text=True)
    assert "Known to us." in other_page and "[withheld]" not in other_page
    own_page = sm.get(f"/conferences/{world.own.conference_id}").get_data(as_text=True)
    assert "Known to us." not in own_page and "[withheld]" not in own_page
