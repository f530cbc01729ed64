"""The form editor: create a form, its fields one page each, the preview's messages, the picker."""

from __future__ import annotations

import pytest

from engine.models.forms import form_draft
from tests.factories import deploy_processes, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in

KEY = "plan/childrens_meeting"
EDIT = f"/forms/edit?key={KEY}"


@pytest.fixture
def owner_client(client, db):
    make_staff(db)
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    sign_in(client, "owner")
    return client


def _field(client, data, path="new"):
    response = post_form(client, f"/forms/field?key={KEY}", {"path": path, **data}, token_from=EDIT)
    return response


def test_a_process_owner_builds_a_form_and_previews_its_messages(owner_client, db):
    response = post_form(owner_client, "/forms", {"key": KEY, "title": "Children's meeting"})
    assert response.status_code == 302
    for data in (
        {"name": "meeting_date", "type": "date", "label": "Date of the meeting",
         "required": "yes", "rules": "not_future"},
        {"name": "went_ahead", "type": "radios", "label": "Did it go ahead", "required": "yes",
         "options": "yes | Yes\nno | No"},
        {"name": "why_not", "type": "textarea", "label": "Why not", "max_length": "200",
         "if_field": "went_ahead", "if_value": "no"},
        {"name": "people", "type": "list", "label": "Who came", "item_label": "Person"},
    ):  # fmt: skip
        assert _field(owner_client, data).status_code == 302
    assert _field(owner_client, {"name": "who", "type": "text", "label": "Name"}, "3.new")
    assert _field(owner_client, {"name": "age", "type": "number", "label": "Age"}, "3.new")
    refused = _field(owner_client, {"name": "2bad", "type": "text", "label": "Bad"})
    assert refused.status_code == 400
    assert "not a valid field name" in page(refused).select_one(".govuk-error-summary").text

    html = page(owner_client.get(EDIT))
    assert [c.text for c in html.select("#fields code")] == [
        "meeting_date", "went_ahead", "why_not", "people"
    ]  # fmt: skip
    assert form_draft(db, KEY) is not None

    preview = f"/forms/preview?key={KEY}"
    wrong = post_form(
        owner_client,
        preview,
        {"meeting_date-day": "31", "meeting_date-month": "2", "meeting_date-year": "2026",
         "went_ahead": "no", "people-0-who": "Sam", "people-0-age": "ten"},
    )  # fmt: skip
    assert wrong.status_code == 422
    messages = [a.text for a in page(wrong).select(".govuk-error-summary__list a")]
    assert messages == [
        "Date of the meeting must be a real date",
        "Enter why not",
        "Age (Person 1) must be a whole number",
    ]
    right = post_form(
        owner_client,
        preview,
        {"meeting_date-day": "2", "meeting_date-month": "3", "meeting_date-year": "2026",
         "went_ahead": "yes", "why_not": "dropped", "people-0-who": "Sam", "people-0-age": "10"},
    )  # fmt: skip
    assert right.status_code == 200
    data = page(right).select_one("#preview-data").text
    assert "people" in data and "why_not" not in data

    picker = page(owner_client.get("/diagrams/core_group/edit")).select_one("#form-keys")
    assert {o["value"]: o.text for o in picker.select("option")}[KEY] == "draft"


def test_removing_a_field_a_script_reads_shows_on_the_form_check(owner_client, db):
    edit = "/forms/edit?key=plan/core_group_meeting"
    fields = [c.text for c in page(owner_client.get(edit)).select("#fields code")]
    assert fields[0] == "core_group_date"
    response = post_form(
        owner_client, "/forms/remove?key=plan/core_group_meeting", {"path": "0"}, token_from=edit
    )
    assert response.status_code == 302
    html = page(owner_client.get("/forms/check?key=plan/core_group_meeting"))
    problems = html.select_one("#problems-core_group").text
    assert "reads “core_group_date”" in problems


def test_the_form_page_lists_its_versions_and_the_diagrams_using_them(owner_client):
    html = page(owner_client.get("/forms/edit?key=plan/core_group_meeting"))
    assert html.select_one("#form-versions").text.strip().startswith("Version 1, deployed by")
    assert "Core group meeting version 1 (form version 1)" in html.select_one("#form-used-by").text


@pytest.mark.parametrize("typed", ["²", "9" * 5000, "ten", "-5", "100001"])
def test_the_most_characters_not_a_whole_number_in_range_is_refused_with_the_reason(
    owner_client, db, typed
):
    """A "²" passed `str.isdigit` and failed in `int`, as did 5,000 digits: a server error.
    "ten" was dropped without a word. Each is the field's page again, saying why."""
    assert post_form(owner_client, "/forms", {"key": KEY, "title": "T"}).status_code == 302
    before = form_draft(db, KEY).definition
    refused = _field(owner_client, {"name": "why", "type": "text", "label": "Why",
                                    "max_length": typed})  # fmt: skip
    assert refused.status_code == 400, typed[:10]
    summary = page(refused).select_one(".govuk-error-summary").text
    assert "the most characters must be a whole number from 1 to 100,000" in summary
    db.expire_all()
    assert form_draft(db, KEY).definition == before


def test_a_form_name_too_long_for_a_file_name_is_refused_not_a_server_error(owner_client, db):
    """A 5,000-character key reached the file system, which refused the name (OSError):
    creating, editing and previewing such a form were server errors."""
    key = "plan/" + "x" * 5000
    created = post_form(owner_client, "/forms", {"key": key, "title": "T"}, token_from=EDIT)
    assert created.status_code == 400
    assert "Give the form a name" in page(created).select_one(".govuk-error-summary").text
    for path in ("/forms/edit", "/forms/preview", "/forms/field", "/forms/check"):
        answer = owner_client.get(path, query_string={"key": key})
        assert answer.status_code == 404, (path, answer.status_code)
    assert form_draft(db, key) is None
