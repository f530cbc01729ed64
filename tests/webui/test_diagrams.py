"""Diagram pages: process owners only, validation shown by element, deploy, versions, moves."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import DiagramDraft
from engine.models.processes import latest_version
from tests.factories import PROCESSES, deploy_processes, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in

CORE_GROUP = (PROCESSES / "core_group.bpmn").read_text()
INTERVAL = 'add_days(core_group_date, 7 * setting("core_group_interval_weeks"))'
FOUR_WEEKS = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 28)")
FOREIGN = Path(__file__).resolve().parent.parent / "engine" / "diagrams" / "foreign"
EDIT = "/diagrams/core_group/edit"


@pytest.fixture
def owner(db):
    make_staff(db)
    deploy_processes(db)
    return make_user(db, "owner", "process_owner", team=None)


@pytest.fixture
def owner_client(client, owner):
    sign_in(client, "owner")
    return client


def test_process_owners_see_the_diagrams_nav_and_list(owner_client):
    response = owner_client.get("/diagrams")
    assert response.status_code == 200
    html = page(response)
    assert html.title.string.startswith("Diagrams")
    assert [a.text.strip() for a in html.select(".govuk-service-navigation__link")][
        -1
    ] == "Diagrams"
    rows = {row["data-process"] for row in html.select("#processes tr[data-process]")}
    assert rows == {"icpc", "rcpc", "core_group", "end_plan"}


@pytest.mark.parametrize("username", ["sw", "tm", "admin"])
def test_everyone_else_is_refused(client, db, owner, username):
    if username == "admin":
        make_user(db, "admin", "administrator", team=None)
    sign_in(client, username)
    for path in (
        "/diagrams",
        EDIT,
        "/diagrams/core_group/versions",
        "/diagrams/core_group/migrate",
    ):
        assert client.get(path).status_code == 403
    nav = [a.text.strip() for a in page(client.get("/")).select(".govuk-service-navigation__link")]
    assert "Diagrams" not in nav


def test_the_editor_opens_the_deployed_version_with_forms_and_roles(owner_client):
    response = owner_client.get(EDIT)
    assert response.status_code == 200
    html = page(response)
    assert html.h1.text == "Edit the diagram"
    assert 'id="core_group"' in html.select_one("#diagram-xml").text
    assert "plan/core_group_meeting" in [o["value"] for o in html.select("#form-keys option")]
    assert "Social worker" in [o["value"] for o in html.select("#lane-names option")]
    assert "core_group_interval_weeks" in html.select_one("#settings").text
    assert "add_working_days" in html.select_one("#vocabulary").text
    assert html.select_one("#problems")["class"][-1] == "app-hidden"


def test_validate_returns_each_problem_with_its_element(owner_client):
    broken = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 7 *")
    response = post_form(
        owner_client, "/diagrams/core_group/validate", {"xml": broken}, token_from=EDIT
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is False
    assert body["problems"][0]["element"] == "next_meeting"
    assert "script does not compile" in body["problems"][0]["message"]
    good = post_form(
        owner_client, "/diagrams/core_group/validate", {"xml": FOUR_WEEKS}, token_from=EDIT
    )
    assert good.get_json() == {"valid": True, "problems": [], "notes": []}


def test_a_broken_deploy_shows_the_error_summary_and_keeps_the_edit(owner_client, db):
    before = latest_version(db, "core_group").id
    broken = CORE_GROUP.replace(INTERVAL, "__import__('os')")
    response = post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": broken, "comment": "try"},
        token_from=EDIT,
    )
    assert response.status_code == 422
    html = page(response)
    assert html.title.string.startswith("Error:")
    [link] = html.select("#problem-list a")
    assert link["data-element"] == "next_meeting" and "__import__" in link.text
    assert "__import__" in html.select_one("#diagram-xml").text
    assert html.select_one("#comment").text == "try"
    assert latest_version(db, "core_group").id == before


def test_deploy_needs_a_reason(owner_client, db):
    response = post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": FOUR_WEEKS, "comment": ""},
        token_from=EDIT,
    )
    assert response.status_code == 422
    assert "Say why" in page(response).select_one("#problem-list").text


def test_a_reason_too_long_is_refused_and_kept_on_the_page(owner_client, db):
    before = latest_version(db, "core_group").id
    reason = "Core groups every 4 weeks. " * 80
    response = post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": FOUR_WEEKS, "comment": reason},
        token_from=EDIT,
    )
    assert response.status_code == 422
    html = page(response)
    assert "2,000 characters or fewer" in html.select_one("#problem-list").text
    assert html.select_one("#comment").text == reason  # nothing typed is lost
    assert "add_days" in html.select_one("#diagram-xml").text
    assert latest_version(db, "core_group").id == before


def test_deploy_creates_a_version_with_its_reason_and_leads_to_moving_cases(owner_client, db):
    response = post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": FOUR_WEEKS, "comment": "Core groups every 4 weeks"},
        token_from=EDIT,
    )
    assert response.status_code == 302
    version = latest_version(db, "core_group")
    assert response.headers["Location"].endswith(f"/diagrams/core_group/migrate?to={version.id}")
    html = page(owner_client.get("/diagrams/core_group/versions"))
    first = html.select("#versions tbody tr")[0]
    assert first["data-version"] == str(version.id)
    assert "Core groups every 4 weeks" in first.text and "owner" in first.text


def test_drafts_are_saved_reopened_and_discarded(owner_client, db):
    unfinished = CORE_GROUP.replace(INTERVAL, "add_days(core_group_date, 7 *")
    response = post_form(
        owner_client, "/diagrams/core_group/draft", {"xml": unfinished}, token_from=EDIT
    )
    assert response.status_code == 302
    html = page(owner_client.get(EDIT))
    assert "the draft owner saved" in html.select_one("#source").text
    assert "7 *" in html.select_one("#diagram-xml").text
    # Discarding asks first, on a page of its own; keeping the draft is the other way out.
    discard = html.find("a", string=lambda t: t and "Discard the draft" in t)["href"]
    confirm = page(owner_client.get(discard))
    assert confirm.h1.text == "Discard the draft?"
    assert "The draft owner saved" in confirm.select_one("main").text
    assert db.scalar(select(DiagramDraft)) is not None
    post_form(owner_client, "/diagrams/core_group/draft/discard", {}, token_from=discard)
    assert db.scalar(select(DiagramDraft)) is None
    assert owner_client.get(discard).status_code == 302  # nothing left to discard


def test_an_uploaded_camunda_file_opens_with_a_note(owner_client, db):
    xml = (FOREIGN / "camunda7_core_group.bpmn").read_text()
    token = page(owner_client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    response = owner_client.post(
        "/diagrams/core_group/upload",
        data={"csrf_token": token, "file": (io.BytesIO(xml.encode()), "from-camunda.bpmn")},
        content_type="multipart/form-data",
    )
    # Another process's diagram: opened only once the owner confirms, under this process's id.
    assert response.status_code == 200
    confirm = page(response)
    assert [li.text for li in confirm.select("#differences li")][0] == (
        "its process is “camunda7_core_group”, not “core_group”"
    )
    form = {i["name"]: i.get("value", "") for i in confirm.select("form input[type=hidden]")}
    form["xml"] = confirm.select_one("textarea[name=xml]").text
    assert 'id="core_group"' in form["xml"]
    response = owner_client.post("/diagrams/core_group/upload/confirmed", data=form)
    assert response.status_code == 200
    html = page(response)
    assert "Camunda 7 form key" in html.select_one(".govuk-inset-text").text
    assert "the file from-camunda.bpmn" in html.select_one("#source").text
    assert latest_version(db, "core_group").name == "Core group meeting"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "DOCTYPE",
        ),
        ((FOREIGN / "camunda8_agency_report.bpmn").read_bytes(), "Zeebe job worker"),
        (b"\x89PNG\r\n\x1a\n not a diagram", "the file is not XML"),
    ],
)
def test_a_refused_upload_says_why_and_never_errors(owner_client, content, expected):
    token = page(owner_client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    response = owner_client.post(
        "/diagrams/core_group/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content), "upload.bpmn")},
        content_type="multipart/form-data",
    )
    asked = page(response).select_one("form[action$='/upload/confirmed']")
    if asked is not None:  # another process's file: confirmed, then checked
        form = {i["name"]: i.get("value", "") for i in asked.select("input[type=hidden]")}
        form["xml"] = asked.select_one("textarea[name=xml]").text
        response = owner_client.post("/diagrams/core_group/upload/confirmed", data=form)
    assert response.status_code == 422
    html = page(response)
    assert expected in html.select_one("#problem-list").text
    assert "/etc/passwd" not in html.select_one("#diagram-xml").text


def test_a_50_mb_upload_is_refused_as_too_large(owner_client):
    token = page(owner_client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    body = (
        (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.bpmn"\r\n\r\n'
        ).encode()
        + b" " * 50_000_000
        + b"\r\n--b--\r\n"
    )
    response = owner_client.post(
        "/diagrams/core_group/upload", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert response.status_code == 413
    assert page(response).h1.text.strip() == "The file is too large"


def test_a_version_downloads_as_bpmn(owner_client, db):
    version = latest_version(db, "core_group")
    response = owner_client.get(f"/diagrams/core_group/versions/{version.id}.bpmn")
    assert response.status_code == 200
    assert 'id="core_group"' in response.get_data(as_text=True)
    assert "attachment" in response.headers["Content-Disposition"]
    response.close()


def test_the_diff_lists_and_marks_the_changed_script(owner_client, db):
    old = latest_version(db, "core_group").id
    post_form(
        owner_client,
        "/diagrams/core_group/deploy",
        {"xml": FOUR_WEEKS, "comment": "4 weeks"},
        token_from=EDIT,
    )
    new = latest_version(db, "core_group").id
    response = owner_client.get("/diagrams/core_group/diff")
    html = page(response)
    assert response.status_code == 200
    assert (old, new) != (1, 2)  # ids are shared by every process: numbers are per process
    assert html.h1.text == "Version 1 compared with version 2"
    [row] = html.select("#changes tr[data-element]")
    assert (row["data-element"], row["data-kind"]) == ("next_meeting", "changed")
    assert "add_days(core_group_date, 28)" in row.text


def test_unknown_process_and_version_are_not_found(owner_client):
    assert owner_client.get("/diagrams/nope/edit").status_code == 404
    assert owner_client.get("/diagrams/core_group/edit?version=999").status_code == 404
    assert owner_client.get("/diagrams/core_group/versions/999.bpmn").status_code == 404
