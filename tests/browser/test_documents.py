"""A social worker goes from the child's record to the conference and opens its plan (PDF)."""

import io

from pypdf import PdfReader

from tests.browser.conftest import browser_sign_in
from tests.processes.driver import Case, held


def test_the_plan_is_downloaded_from_the_case_page_and_reads_right(db, engine, clock, browser_page):
    case = Case(db, engine, clock, reload=False)
    held(case)
    case.at("2027-01-12 10:00")
    case.do("decision_letter")
    page = browser_page
    browser_sign_in(page, "sw")
    page.goto(f"/children/{case.child.id}")
    page.get_by_role("link", name="Documents and reports for the initial conference").click()
    assert page.locator("h1").inner_text() == "Initial conference"
    with page.expect_response(lambda r: r.url.endswith("/plan.pdf")) as opened:
        page.get_by_role("link", name="PDF of the child protection plan").click()
    response = opened.value
    assert response.status == 200 and response.header_value("content-type") == "application/pdf"
    assert "-plan-2027-01-12.pdf" in response.header_value("content-disposition")
    # The browser shows it in its viewer; read the same file with the same session cookie.
    reader = PdfReader(io.BytesIO(page.request.get(response.url).body()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Child protection plan for Amara Okoye" in text
    assert "Register with a dentist" in text and "Monday 1 February 2027" in text
