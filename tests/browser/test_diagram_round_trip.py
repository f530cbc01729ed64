"""Every shipped diagram survives the browser editor: opened, saved back, checked, deployed.

What the product reads (properties, scripts, pre- and post-scripts, scriptsOnInstances,
multi-instance loop references, timers, conditions, lanes) must come back from bpmn-js as it
went in; a modeller that drops any of it would turn an unchanged deploy into a broken process.
"""

from __future__ import annotations

import pytest
from lxml import etree

from engine.diagrams import diagram_editing
from forms import exists as form_exists
from tests.browser.conftest import browser_sign_in
from tests.factories import PROCESSES, deploy_processes, make_user

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
SHIPPED = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))


def semantics(xml: bytes) -> set[tuple]:
    """Every element outside the drawing (DI): where it sits, its tag, attributes and text."""
    found = set()

    def walk(node, path):
        if not isinstance(node.tag, str) or node.tag.startswith(f"{{{DI}}}"):
            return
        here = f"{path}/{node.get('id') or etree.QName(node).localname}"
        attributes = tuple(sorted(node.attrib.items()))
        found.add((here, node.tag, attributes, (node.text or "").strip()))
        for child in node:
            walk(child, here)

    walk(etree.fromstring(xml), "")
    return found


def test_the_comparison_sees_a_dropped_loop_reference():
    original = (PROCESSES / "icpc.bpmn").read_bytes()
    dropped = original.replace(
        b"<bpmn:loopDataInputRef>report_requests</bpmn:loopDataInputRef>", b""
    )
    assert semantics(original) != semantics(dropped)


@pytest.mark.parametrize("process_id", SHIPPED)
def test_a_shipped_diagram_comes_back_from_the_editor_unchanged(db, browser_page, process_id):
    deploy_processes(db)
    make_user(db, "owner", "process_owner", team=None)
    page = browser_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_sign_in(page, "owner")
    page.goto(f"/diagrams/{process_id}/edit")
    page.wait_for_selector("body[data-editor-ready=true]")
    assert page.locator("#editor-status").inner_text() == ""  # no warnings on import

    with page.expect_download() as download:
        page.get_by_role("button", name="Download .bpmn").click()
    saved = download.value.path().read_bytes()
    original = (PROCESSES / f"{process_id}.bpmn").read_bytes()
    assert semantics(saved) ^ semantics(original) == set()
    # each agency's report is a copy of a sub-diagram, one per entry of the list it loops on
    assert b"loopDataInputRef" in saved or process_id not in ("icpc", "rcpc")

    page.get_by_role("button", name="Check the diagram").click()
    page.locator("#valid-banner").wait_for(state="visible")
    assert not page.locator("#problems").is_visible()
    result = diagram_editing.check(saved, process_id, form_exists)
    assert result.valid
    assert sorted(result.diagram.spec.task_specs) == sorted(
        diagram_editing.check(original, process_id, form_exists).diagram.spec.task_specs
    )
    assert errors == []
