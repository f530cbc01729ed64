"""A professional's report link as pages, and business support's print queue."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from engine.models import (
    ConferenceRequest,
    HumanTask,
    Invitation,
    OutboxMessage,
    PostedLetter,
    Report,
    ReportFile,
)
from engine.models.instances import DONE
from tests.engine.documents.hostile_files import clean_pdf
from tests.processes.driver import Case, invited
from tests.webui.conftest import csrf, page, post_form, sign_in


@pytest.fixture
def case(db, web_engine, clock):
    made = Case(db, web_engine, clock, reload=False)
    invited(made)  # the police with an account, a GP with an email address and none
    return made


def gp_token(case) -> str:
    query = select(OutboxMessage.link_path).where(OutboxMessage.kind == "professional_link")
    return case.db.scalars(query).one().rsplit("/", 1)[1]


def gp_report(case) -> Report:
    return case.db.scalars(select(Report).where(Report.agency == "gp")).one()


def test_the_gp_opens_the_link_and_sends_a_report_with_a_file(client, case):
    token = gp_token(case)
    html = page(client.get(f"/professional/{token}"))
    assert html.h1.text.strip() == "Your agency's report for the conference"
    said = html.select_one("#link-for").text
    assert "Dr Asha Patel" in said and "11 January 2027" in said and "7 January 2027" in said
    assert html.select_one("input[type=file][name=report_file]") is not None
    assert "Report date" not in html.text and html.select(".govuk-service-navigation__item") == []
    response = client.post(
        f"/professional/{token}",
        data={
            "csrf_token": csrf(client, f"/professional/{token}"),
            "report_summary": "Registered since birth; missed two immunisations.",
            "report_health": "Mother registered; father not.",
            "report_file": (io.BytesIO(clean_pdf()), "GP report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    assert "Report sent" in page(response).text
    case.db.expire_all()
    report = gp_report(case)
    assert report.submitted_on is not None and "missed two immunisations" in report.summary
    assert "Health information (GP): Mother registered" in report.summary
    names = case.db.scalars(select(ReportFile.filename).where(ReportFile.report_id == report.id))
    assert list(names) == ["GP report.pdf"]
    task = case.db.scalars(select(HumanTask).where(HumanTask.title.like("%Asha Patel"))).one()
    assert task.state == DONE
    again = client.get(f"/professional/{token}")
    assert again.status_code == 410
    assert "will not open again" in page(again).select_one("#reason").text


def test_mistakes_and_a_bad_file_come_back_with_an_error_summary_and_the_link_unspent(client, case):
    token = gp_token(case)
    missing = post_form(client, f"/professional/{token}", {"report_summary": ""})
    assert missing.status_code == 400
    summary = page(missing).select_one(".govuk-error-summary")
    assert summary is not None and "#report_summary" in str(summary)
    bad = client.post(
        f"/professional/{token}",
        data={
            "csrf_token": csrf(client, f"/professional/{token}"),
            "report_summary": "Known to us.",
            "report_file": (io.BytesIO(b"MZ not a report"), "report.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert page(bad).select_one('.govuk-error-summary a[href="#report_file"]') is not None
    assert page(bad).select_one("#report_summary").text == "Known to us."
    assert gp_report(case).submitted_on is None
    assert client.get(f"/professional/{token}").status_code == 200


def test_a_made_up_link_is_refused_with_a_page_not_a_bare_error(client, case):
    response = client.get("/professional/not-a-real-link")
    assert response.status_code == 404
    assert "not valid" in page(response).select_one("#reason").text


def test_business_support_prints_and_marks_a_letter_posted(client, case):
    sign_in(client, "bs")
    html = page(client.get("/print-queue"))
    assert "To post (4)" in html.select_one("#waiting").text
    letter = case.db.scalars(select(PostedLetter).order_by(PostedLetter.id)).first()
    pdf = client.get(f"/print-queue/{letter.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert letter.kind == "invitation"  # the addressee's own letter, not everyone's
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    others = case.db.scalars(
        select(Invitation).where(Invitation.person_id != letter.person_id)
    ).all()
    assert f"Dear {letter.person.name}" in text
    assert not [i for i in others if f"Dear {i.person.name}," in text]
    wrong = post_form(
        client,
        f"/print-queue/{letter.id}/posted",
        {"posted_on-day": "31", "posted_on-month": "2", "posted_on-year": "2027"},
        token_from="/print-queue",
    )
    assert wrong.status_code == 400
    assert page(wrong).select_one(".govuk-error-summary") is not None
    done = post_form(
        client,
        f"/print-queue/{letter.id}/posted",
        {"posted_on-day": "4", "posted_on-month": "1", "posted_on-year": "2027"},
        token_from="/print-queue",
        follow=True,
    )
    assert "To post (3)" in page(done).select_one("#waiting").text
    assert "4 January 2027" in page(done).select_one("#posted").find_next("table").text
    case.db.expire_all()
    assert str(case.db.get(PostedLetter, letter.id).posted_on) == "2027-01-04"
    navigation = page(done).select(".govuk-service-navigation__link")
    assert "Print queue" in [a.text.strip() for a in navigation]


def test_the_conference_page_shows_staff_whether_the_gp_has_used_her_link(client, case):
    from engine.models import Conference

    conference = case.db.scalars(select(Conference)).one()
    sign_in(client, "sw")
    html = page(client.get(f"/conferences/{conference.id}"))
    row = html.select_one("#professional-links tbody tr").text
    assert "Dr Asha Patel (gp)" in row and "Waiting (expires 25 January 2027" in row
    police = client.application.test_client()
    sign_in(police, "police")  # an invited professional sees only their own report
    shown = page(police.get(f"/conferences/{conference.id}"))
    assert shown.h1 is not None and shown.select_one("#professional-links") is None


def test_the_gp_asks_the_chair_to_withhold_with_her_report(client, case):
    """Issue 21: the link's form has the request fields; a request naming no one on the
    record comes back with the link unspent; a good one is raised with the report."""
    token = gp_token(case)
    html = page(client.get(f"/professional/{token}"))
    assert html.select_one("[name='agency_requests-0-kind']") is not None
    asked = {
        "report_summary": "Registered since birth.",
        "agency_requests-0-kind": "withhold",
        "agency_requests-0-details": "Keep the mother's address from the father.",
        "agency_requests-0-person": "Grace Okoye",
        "agency_requests-0-field": "address",
        "agency_requests-0-withheld_from": "Bob Smith",
    }
    wrong = post_form(client, f"/professional/{token}", asked)
    assert wrong.status_code == 400
    assert "no one called Bob Smith" in page(wrong).select_one(".govuk-error-summary").text
    assert gp_report(case).submitted_on is None
    sent = post_form(
        client,
        f"/professional/{token}",
        {**asked, "agency_requests-0-withheld_from": "Tom Okoye"},
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)[:400]
    case.db.expire_all()
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.decision, row.withheld_from.name) == (None, "Tom Okoye")
    sign_in(client, "chair")
    html = page(client.get(f"/conferences/{row.conference_id}"))
    said = html.select_one(f"#request-{row.id}").text
    assert "Raised by Dr Asha Patel by their secure link" in said and "Not decided yet" in said
