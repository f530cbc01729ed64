"""Opening other modellers' files in the editor, and the size limit checks and deploys share."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from engine.diagrams.registry import MAX_DIAGRAM_BYTES
from tests.factories import PROCESSES, deploy_processes, make_staff, make_user
from tests.webui.conftest import page, sign_in

FOREIGN = Path(__file__).resolve().parents[1] / "engine" / "diagrams" / "foreign"
EDIT = "/diagrams/core_group/edit"


@pytest.fixture
def owner_client(client, db):
    make_staff(db)
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    sign_in(client, "owner")
    return client


def upload(client, content: bytes, filename: str):
    """Open a file in core_group's editor, confirming when it is another diagram."""
    token = page(client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    response = client.post(
        "/diagrams/core_group/upload",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    return confirm(client, response)


def confirm(client, response):
    html = page(response)
    if not html.select("#differences li"):
        return response
    form = {i["name"]: i.get("value", "") for i in html.select("form input[type=hidden]")}
    form["xml"] = html.select_one("textarea[name=xml]").text
    return client.post("/diagrams/core_group/upload/confirmed", data=form)


@pytest.mark.parametrize("name", sorted(p.name for p in FOREIGN.glob("*.bpmn")))
def test_every_foreign_file_opens_or_is_refused_plainly(owner_client, name):
    response = upload(owner_client, (FOREIGN / name).read_bytes(), name)
    assert response.status_code in (200, 422)
    html = page(response)
    problems = [li.text.strip() for li in html.select("#problem-list li")]
    assert (response.status_code == 422) == bool(problems)
    assert not any("0x7f" in p or "Error(" in p or "{http" in p for p in problems)
    xml = html.select_one("#diagram-xml").text
    assert xml.startswith("<?xml version=") and "UTF-8" in xml[:60]


def test_a_latin1_file_opens_in_the_editor_as_utf8(owner_client):
    xml = (FOREIGN / "bpmnio_latin1.bpmn").read_bytes().replace(b"Process_latin1", b"core_group")
    response = upload(owner_client, xml, "latin1.bpmn")
    assert response.status_code == 200
    assert "Visite à domicile (£0 cost)" in page(response).select_one("#diagram-xml").text


def test_the_shipped_diagram_opens_without_asking(owner_client):
    response = upload(owner_client, (PROCESSES / "core_group.bpmn").read_bytes(), "cg.bpmn")
    assert response.status_code == 200
    assert "the file cg.bpmn" in page(response).select_one("#source").text


def test_a_wholly_different_diagram_under_the_same_id_asks_first(owner_client, db):
    other = (FOREIGN / "bpmnio_latin1.bpmn").read_bytes().replace(b"Process_latin1", b"core_group")
    token = page(owner_client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    response = owner_client.post(
        "/diagrams/core_group/upload",
        data={"csrf_token": token, "file": (io.BytesIO(other), "other.bpmn")},
        content_type="multipart/form-data",
    )
    html = page(response)
    assert html.h1.text == "The file other.bpmn is a different diagram"
    assert [li.text for li in html.select("#differences li")] == [
        "it is named “Réunion de suivi”, not “Core group meeting”",
        "it keeps 0 of the 17 steps of the version in use",
    ]
    assert html.select_one("a.govuk-link[href='/diagrams/core_group/edit']").text == "Cancel"


def test_broken_xml_is_not_handed_to_the_drawing_tool(owner_client):
    response = upload(
        owner_client, (FOREIGN / "signavio_undeclared_prefix.bpmn").read_bytes(), "s.bpmn"
    )
    assert response.status_code == 422
    html = page(response)
    assert "the file s.bpmn was refused" in html.select_one("#source").text
    assert 'id="core_group"' in html.select_one("#diagram-xml").text


def post_multipart(client, path: str, fields: dict[str, str]):
    """A multipart form built by hand: the test client spools a large one to an unclosed file."""
    body = b"".join(
        f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value.encode()
        + b"\r\n"
        for name, value in fields.items()
    )
    return client.post(
        path, data=body + b"--b--\r\n", content_type="multipart/form-data; boundary=b"
    )


def test_check_and_deploy_take_a_diagram_up_to_the_same_limit(owner_client, db):
    padding = "x" * (MAX_DIAGRAM_BYTES - 400_000)
    big = (PROCESSES / "core_group.bpmn").read_text()
    big = big.replace("</bpmn:definitions>", f"<!-- {padding} --></bpmn:definitions>")
    assert 1_500_000 < len(big) < MAX_DIAGRAM_BYTES
    token = page(owner_client.get(EDIT)).select_one("input[name=csrf_token]")["value"]
    form = {"csrf_token": token, "xml": big, "comment": "A long comment in the diagram"}
    checked = post_multipart(owner_client, "/diagrams/core_group/validate", form)
    assert checked.status_code == 200 and checked.get_json()["valid"]

    # A little over the limit: both say so in words, not with a 413.
    over = big.replace("<!-- ", "<!-- " + "y" * (MAX_DIAGRAM_BYTES + 10_000 - len(big)))
    for path in ("validate", "deploy"):
        response = post_multipart(
            owner_client, f"/diagrams/core_group/{path}", {**form, "xml": over}
        )
        assert response.status_code in (200, 422)
        assert "larger than 2048 KB" in response.get_data(as_text=True)

    deployed = post_multipart(owner_client, "/diagrams/core_group/deploy", form)
    assert deployed.status_code == 302
