"""The conference page: documents to download, reports and their files, by access level."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import AuditEvent, CasePerson, Conference, OutboxMessage, Report, ReportFile
from tests.engine.documents.fake_clamd import MARKER, FakeClamd, unused_address
from tests.engine.documents.hostile_files import clean_pdf, docx_with_macros, pdf_html_polyglot
from tests.engine.documents.test_documents import pdf_text
from tests.factories import make_user
from tests.processes.driver import WITHHELD, Case, held
from tests.webui.conftest import csrf, page, post_form, sign_in

PDF = clean_pdf()


@pytest.fixture
def case(db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    held(made)
    made.at("2027-01-12 10:00")
    made.do("decision_letter")
    return made


def conference_id(case) -> int:
    query = select(Conference.id).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def report(case, kind) -> Report:
    return case.db.scalars(select(Report).where(Report.kind == kind)).first()


def upload(client, case, report_id, content, name="report.pdf"):
    token = csrf(client, f"/conferences/{conference_id(case)}")
    data = {"csrf_token": token, "report_file": (io.BytesIO(content), name)}
    return client.post(f"/reports/{report_id}/files", data=data, content_type="multipart/form-data")


def test_the_social_worker_sees_every_document_and_what_was_sent(client, case):
    sign_in(client, "sw")
    html = page(client.get(f"/conferences/{conference_id(case)}"))
    assert html.h1.text.strip() == "Initial conference"
    documents = [row.td.text for row in html.select("#documents tbody tr")]
    assert documents == [
        "Agenda",
        "Invitation letters",
        "Decision letter and outline plan",
        "Minutes",
        "Child protection plan",
    ]
    history = html.select_one("#document-history").text
    assert "Sent 12 January 2027" in history and "Grace Okoye (post)" in history
    assert html.select_one("#link") is not None  # staff can send the family a link


def test_a_pdf_download_is_the_decision_letter_and_is_recorded(client, case):
    sign_in(client, "sw")
    response = client.get(f"/conferences/{conference_id(case)}/documents/decision_letter.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    response.close()
    assert "Category of abuse: Neglect" in text and "Register with a dentist" in text
    word = client.get(f"/conferences/{conference_id(case)}/documents/minutes.docx")
    assert word.status_code == 200
    assert "attachment" in word.headers["Content-Disposition"]
    assert word.headers["Content-Disposition"].endswith(".docx")
    assert word.headers["Cache-Control"] == "no-store"
    word.close()
    events = case.db.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.generated")
    ).all()
    assert [e.detail["kind"] for e in events] == ["decision_letter", "minutes"]


def test_an_unknown_document_or_format_is_a_clear_not_found(client, case):
    sign_in(client, "sw")
    for path in ("secrets.pdf", "agenda.exe"):
        response = client.get(f"/conferences/{conference_id(case)}/documents/{path}")
        assert response.status_code == 404
    assert client.get("/conferences/999/documents/agenda.pdf").status_code == 404


def test_an_invited_professional_sees_the_documents_and_only_their_own_report(client, case):
    sign_in(client, "police")
    html = page(client.get(f"/conferences/{conference_id(case)}"))
    cards = [c.h3.text for c in html.select(".govuk-summary-card")]
    assert cards == ["Agency report (Police): Robin Hall"]  # the agency in words
    assert html.select_one("#document-history") is None and html.select_one("#link") is None
    response = client.get(f"/conferences/{conference_id(case)}/documents/minutes.pdf")
    assert response.status_code == 200
    response.close()
    social_worker_report = report(case, "social_worker")
    assert upload(client, case, social_worker_report.id, PDF).status_code == 403
    assert upload(client, case, report(case, "agency").id, PDF).status_code == 302


def test_someone_with_no_link_to_the_child_is_refused_everywhere(client, case, db):
    make_user(db, "stranger", "social_worker", team="South")
    upload_client = client
    sign_in(client, "sw")
    assert upload(upload_client, case, report(case, "social_worker").id, PDF).status_code == 302
    file_id = case.db.scalars(select(ReportFile.id)).one()
    client.post("/sign-out", data={"csrf_token": csrf(client, "/inbox")})
    sign_in(client, "stranger")
    cid = conference_id(case)
    assert client.get(f"/conferences/{cid}").status_code == 403
    assert client.get(f"/conferences/{cid}/documents/minutes.pdf").status_code == 403
    assert client.get(f"/report-files/{file_id}").status_code == 403
    response = post_form(
        client,
        f"/conferences/{cid}/family-links",
        {"person_id": "1", "purpose": "parent_report", "email": "x@example.com"},
        token_from="/inbox",
    )
    assert response.status_code == 403


def test_a_report_uploaded_as_a_pdf_is_kept_and_can_be_downloaded(client, case):
    sign_in(client, "sw")
    target = report(case, "social_worker")
    assert upload(client, case, target.id, PDF, "../../tmp/My report.pdf").status_code == 302
    html = page(client.get(f"/conferences/{conference_id(case)}"))
    link = html.select_one(f"#report-{target.id} a.govuk-link")
    assert link.text == "My report.pdf"
    response = client.get(link["href"])
    assert response.data == PDF and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"just text", "report.pdf", "must be a PDF or a Word document"),
        (b"PK\x03\x04 not a zip", "report.docx", "must be a PDF or a Word document"),
        (b"", "empty.pdf", "Select a file"),
        (pdf_html_polyglot(), "report.html", "web page code"),
        (clean_pdf(), "report.html", "ends in .html but it is a PDF"),
        (docx_with_macros(), "report.docm", "contains macros"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_saved(client, case, content, name, message):
    sign_in(client, "sw")
    response = upload(client, case, report(case, "social_worker").id, content, name)
    assert response.status_code == 400
    assert message in page(response).select_one(".govuk-error-summary").text
    assert case.db.scalars(select(ReportFile)).all() == []


def test_with_a_scanner_switched_on_a_file_is_scanned_and_refused_if_found_or_unchecked(
    app, client, case
):
    sign_in(client, "sw")
    target = report(case, "social_worker")
    clamd = FakeClamd()
    try:
        app.config["CLAMD_ADDRESS"] = clamd.address
        response = upload(client, case, target.id, PDF + b"%" + MARKER + b"\n")
        assert response.status_code == 400
        assert "found something harmful" in page(response).select_one(".govuk-error-summary").text
        assert upload(client, case, target.id, PDF).status_code == 302
        assert len(clamd.received) == 2
        app.config["CLAMD_ADDRESS"] = unused_address()
        response = upload(client, case, target.id, PDF)
        assert response.status_code == 503
        assert "scanner is not answering" in page(response).select_one(".govuk-error-summary").text
    finally:
        clamd.close()
    assert len(case.db.scalars(select(ReportFile)).all()) == 1


def test_staff_email_a_family_member_a_single_use_link(client, case):
    sign_in(client, "sw")
    cid = conference_id(case)
    html = page(client.get(f"/conferences/{cid}"))
    grace = next(o for o in html.select("#person_id option") if "Grace" in o.text)["value"]
    response = post_form(
        client,
        f"/conferences/{cid}/family-links",
        {"person_id": grace, "purpose": "parent_feedback", "email": "grace@example.com"},
        token_from=f"/conferences/{cid}",
    )
    assert response.status_code == 302
    message = case.db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "family_link")
    ).one()
    assert message.to_address == "grace@example.com" and message.to_user_id is None
    assert message.link_path.startswith("/family/")
    assert "Amara" not in message.subject + message.body and WITHHELD not in message.body
    rows = page(client.get(f"/conferences/{cid}")).select("#family-links tbody tr")
    assert "Grace Okoye" in rows[0].text and "Waiting" in rows[0].text


def test_a_link_with_a_bad_email_is_refused_with_the_form_kept(client, case):
    sign_in(client, "sw")
    cid = conference_id(case)
    response = post_form(
        client,
        f"/conferences/{cid}/family-links",
        {"person_id": "1", "purpose": "parent_report", "email": "not an email"},
        token_from=f"/conferences/{cid}",
    )
    assert response.status_code == 400
    html = page(response)
    assert "correct format" in html.select_one(".govuk-error-summary").text
    assert html.select_one("#email")["value"] == "not an email"


def test_a_copy_to_post_is_redacted_for_its_recipient_and_only_staff_get_it(client, case, db):
    tom = db.scalars(select(CasePerson).where(CasePerson.name == "Tom Okoye")).one()
    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    tom.address, grace.address = "4 Old Road", WITHHELD
    db.commit()
    sign_in(client, "sw")
    html = page(client.get(f"/conferences/{conference_id(case)}"))
    links = [a["href"] for a in html.select("#posted-copies a")]
    letter = f"/conferences/{conference_id(case)}/documents/invitation/for/{tom.id}.pdf"
    assert letter in links
    text = pdf_text(client.get(letter).data)
    assert "Dear Tom Okoye" in text and "4 Old Road" in text
    assert "Dear Grace Okoye" not in text and WITHHELD not in text
    sign_in(client, "police")
    assert client.get(letter).status_code == 403


def test_a_file_name_quoting_what_is_withheld_from_the_reader_is_read_without_it(client, case, db):
    """The mother's address is withheld from the team manager and a report's file is named
    after it (in other capitals). The conference page lists the file, and the download
    names it, without the address; the social worker reads the name as uploaded."""
    from engine.access import withholding

    grace = db.scalars(select(CasePerson).where(CasePerson.name == "Grace Okoye")).one()
    grace.address = "8 Quiet Lane\nNorthtown NT1 4QQ"
    report = db.scalars(
        select(Report).where(Report.kind == "social_worker").order_by(Report.id)
    ).first()
    named = "Home visit at 8 QUIET LANE, northtown nt1 4qq.pdf"
    upload = ReportFile(
        report_id=report.id,
        filename=named,
        content_type="application/pdf",
        size=len(clean_pdf()),
        content=clean_pdf(),
    )
    db.add(upload)
    db.commit()
    chair = db.scalars(select(Conference).order_by(Conference.id)).first().chair
    withholding.withhold(
        db,
        chair,
        case.child.id,
        "person",
        grace.id,
        "address",
        "user:tm",
        "Fled.",
        case.clock.now(),
    )
    conference_id = db.scalars(select(Conference.id).order_by(Conference.id)).first()
    sign_in(client, "tm")
    listed = client.get(f"/conferences/{conference_id}").get_data(as_text=True)
    download = client.get(f"/report-files/{upload.id}")
    assert download.status_code == 200
    for seen in (listed, download.headers["Content-Disposition"]):
        assert "Home visit at Withheld" in seen and "quiet" not in seen.lower()
    sign_in(client, "sw")
    assert named in client.get(f"/report-files/{upload.id}").headers["Content-Disposition"]
