"""What every page knows: the council's name comes from the council settings, like letters'."""

from engine.platform import settings
from tests.webui.conftest import page


def test_the_council_name_in_the_title_and_footer_is_the_one_the_letters_use(client):
    with settings.using(council_name="Northshire County Council"):
        html = page(client.get("/sign-in"))
    assert html.title.string.strip().endswith("– Northshire County Council")
    assert "Northshire County Council" in html.select_one(".govuk-footer").text
