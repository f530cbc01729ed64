"""The shipped diagrams are drawn with no shape or label over another, and laying a diagram
out changes its drawing only."""

from __future__ import annotations

import pytest
from lxml import etree

from engine.diagrams import layout
from tests.factories import PROCESSES

SHIPPED = sorted([*PROCESSES.glob("*.bpmn"), *PROCESSES.glob("optional/*.bpmn")])
DC, BPMNDI = layout.DC, layout.BPMNDI


def boxes(root) -> list[tuple[str, object, tuple[float, ...]]]:
    """(kind, element, bounds) of every drawn step, event, gateway and their labels: lanes
    and the pool hold the steps by design and are left out."""
    elements = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    found = []
    for shape in root.iter(f"{BPMNDI}BPMNShape"):
        element = elements[shape.get("bpmnElement")]
        if etree.QName(element).localname in ("lane", "participant"):
            continue
        found.append(("shape", element, _bounds(shape.find(f"{DC}Bounds"))))
        label = shape.find(f"{BPMNDI}BPMNLabel/{DC}Bounds")
        if label is not None:
            found.append(("label", element, _bounds(label)))
    return found


def _bounds(node) -> tuple[float, ...]:
    return tuple(float(node.get(k)) for k in ("x", "y", "width", "height"))


def _meet(a, b) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def overlaps(root) -> list[tuple[str, str]]:
    """Pairs drawn over each other, but for a timer on its step and a step (or its label)
    inside the subprocess holding it."""
    found, drawn = [], boxes(root)
    for index, (kind_a, a, box_a) in enumerate(drawn):
        for kind_b, b, box_b in drawn[index + 1 :]:
            if a is b or not _meet(box_a, box_b):
                continue
            attached = b.get("id") == a.get("attachedToRef") or a.get("id") == b.get(
                "attachedToRef"
            )
            inside = (kind_b == "shape" and b in a.iterancestors()) or (
                kind_a == "shape" and a in b.iterancestors()
            )
            if (kind_a == kind_b == "shape" and attached) or inside:
                continue
            found.append((f"{kind_a} {a.get('id')}", f"{kind_b} {b.get('id')}"))
    return found


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_no_shape_or_label_overlaps_another(path):
    assert overlaps(etree.parse(str(path)).getroot()) == []


def test_the_check_finds_an_overlap():
    root = etree.parse(str(PROCESSES / "end_plan.bpmn")).getroot()
    first, second = [
        s.find(f"{DC}Bounds")
        for s in root.iter(f"{BPMNDI}BPMNShape")
        if s.get("bpmnElement") in ("record_plan_ending", "agree_plan_ending")
    ]
    for name in ("x", "y"):
        second.set(name, first.get(name))
    assert ("shape agree_plan_ending", "shape record_plan_ending") in overlaps(root) or (
        "shape record_plan_ending",
        "shape agree_plan_ending",
    ) in overlaps(root)


def _semantics(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for diagram in root.findall(f"{BPMNDI}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root, method="c14n")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_laying_out_keeps_every_element_and_flow_and_leaves_no_overlap(path):
    before = path.read_bytes()
    after = layout.lay_out(before)
    assert _semantics(after) == _semantics(before)
    assert overlaps(etree.fromstring(after)) == []
    ids = lambda xml: sorted(  # noqa: E731
        s.get("bpmnElement") for s in etree.fromstring(xml).iter(f"{BPMNDI}BPMNShape")
    )
    assert ids(after) == ids(before)
