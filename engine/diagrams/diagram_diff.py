"""What changed between two versions of a diagram, element by element.

Elements are matched by id (the modeller keeps ids stable when you edit), and compared on what
the product reads from them: name, kind, lane, flows, scripts, conditions, timers and
properties. The editor's diff page colours the same ids on both diagrams.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.diagrams import registry

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
SKIP = {"incoming", "outgoing", "flowNodeRef", "extensionElements"}
TEXTS = {
    "script",
    "conditionExpression",
    "timeDate",
    "timeDuration",
    "timeCycle",
    "preScript",
    "postScript",
}
WRAPPERS = {"extensionElements", "timerEventDefinition", "properties"}


def _own(child, node) -> bool:
    """Whether `child` describes `node` itself, not an element nested inside it."""
    parent = child.getparent()
    while parent is not None and parent is not node:
        if parent.tag.removeprefix(BPMN).removeprefix(SPIFF) not in WRAPPERS:
            return False
        parent = parent.getparent()
    return True


@dataclass(frozen=True)
class Change:
    element: str
    kind: str  # added, removed, changed
    label: str
    details: tuple[str, ...] = ()


def _text(node) -> str:
    return " ".join((node.text or "").split())


def _describe(node, lanes: dict[str, str]) -> dict[str, str]:
    """The facts about one element that matter to how a case runs."""
    facts = {"kind": node.tag.removeprefix(BPMN)}
    for attribute in ("name", "sourceRef", "targetRef", "attachedToRef", "cancelActivity"):
        if node.get(attribute) is not None:
            facts[attribute] = node.get(attribute)
    if node.get("id") in lanes:
        facts["lane"] = lanes[node.get("id")]
    for child in node.iter():
        if not isinstance(child.tag, str) or child is node:
            continue
        tag = child.tag.removeprefix(BPMN).removeprefix(SPIFF)
        if not _own(child, node):
            continue
        if tag in TEXTS:
            facts[tag] = _text(child)
        elif tag == "property":
            facts[f"property {child.get('name')}"] = child.get("value", "")
    return facts


def _elements(xml: str) -> dict[str, tuple[str, dict[str, str]]]:
    root = registry.safe_tree(xml.encode("utf-8"))
    lanes = {
        ref.text.strip(): ref.getparent().get("name") or ref.getparent().get("id")
        for ref in root.iter(f"{BPMN}flowNodeRef")
        if ref.text
    }
    found = {}
    for process in root.iter(f"{BPMN}process"):
        for node in process.iter():
            if not isinstance(node.tag, str) or not node.tag.startswith(BPMN):
                continue
            kind = node.tag.removeprefix(BPMN)
            if kind in SKIP or not node.get("id") or node is process:
                continue
            if kind in ("laneSet", "timerEventDefinition", "conditionExpression"):
                continue
            label = node.get("name") or node.get("id")
            found[node.get("id")] = (label, _describe(node, lanes))
    return found


def compare(old_xml: str, new_xml: str) -> list[Change]:
    """Every element added, removed or changed from `old_xml` to `new_xml`."""
    old, new = _elements(old_xml), _elements(new_xml)
    changes = []
    for element, (label, facts) in new.items():
        if element not in old:
            changes.append(Change(element, "added", label, (facts["kind"],)))
            continue
        before = old[element][1]
        details = tuple(
            f"{key}: “{before.get(key, '')}” → “{facts.get(key, '')}”"
            for key in sorted(set(before) | set(facts))
            if before.get(key) != facts.get(key)
        )
        if details:
            changes.append(Change(element, "changed", label, details))
    for element, (label, facts) in old.items():
        if element not in new:
            changes.append(Change(element, "removed", label, (facts["kind"],)))
    order = {"changed": 0, "added": 1, "removed": 2}
    return sorted(changes, key=lambda c: (order[c.kind], c.element))
