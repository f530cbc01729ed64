"""The accessibility statement: public, in the model statement's form, linked from every footer,
with the council's contact from the settings; family pages carry the council's own frame."""

from __future__ import annotations

from engine.platform import settings
from tests.factories import make_staff
from tests.webui.conftest import page, sign_in

MODEL_SECTIONS = [
    "How accessible this service is",
    "Feedback and contact information",
    "Reporting accessibility problems with this service",
    "Enforcement procedure",
    "Technical information about this service’s accessibility",
    "How we tested this service",
    "Preparation of this accessibility statement",
]


def test_the_statement_is_open_to_everyone_and_names_the_councils_contact(client):
    with settings.using(
        council_name="Northshire County Council",
        council_phone="01632 960000",
        council_email="access@northshire.example",
    ):
        response = client.get("/accessibility")
    assert response.status_code == 200
    html = page(response)
    headings = [h.text.strip() for h in html.select("h2")]
    assert [s for s in MODEL_SECTIONS if s not in headings] == []
    text = html.text
    assert "partially compliant" in html.select_one("#compliance").text
    for tested in ("axe-core", "320 pixels", "keyboard only"):
        assert tested in html.select_one("#testing ~ ul").text
    assert html.select_one("#known-problems li")  # what does not comply is listed
    assert "Northshire County Council" in text and "01632 960000" in text
    assert html.select_one("#reporting ~ p a[href='mailto:access@northshire.example']")
    # No staff navigation or staff wording for someone not signed in.
    assert html.select(".govuk-service-navigation__item") == []
    assert "special category" not in text


def test_every_footer_links_to_the_statement(client, db):
    make_staff(db)
    pages = ["/sign-in", "/family/not-a-link", "/accessibility"]
    footers = [page(client.get(path)).select_one("footer") for path in pages]
    sign_in(client, "sw")
    footers += [page(client.get(path)).select_one("footer") for path in ("/inbox", "/children")]
    for footer in footers:
        assert footer.select_one("a[href='/accessibility']").text == "Accessibility statement"


def test_a_family_page_has_the_councils_header_and_footer_and_no_staff_wording(client):
    with settings.using(council_name="Northshire County Council", council_phone="01632 960000"):
        html = page(client.get("/family/not-a-link"))
    assert "Northshire County Council" in html.select_one(".govuk-service-navigation").text
    assert "Child protection conferences" not in html.title.text
    footer = html.select_one("footer").text
    assert "01632 960000" in footer and "special category" not in footer
