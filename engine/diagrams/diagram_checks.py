"""Shape checks on a diagram's XML: elements that can never be reached, or lead nowhere.

SpiffWorkflow runs such a diagram without complaint; an instance would then wait forever on a
step nobody can get to, or stop at a task with nothing after it. These are the bpmnlint rules
`no-disconnected` and `no-implicit-end` (and `no-implicit-start`), done on the server so a
deploy from any client is checked the same way.
"""

from __future__ import annotations

from engine.platform.errors import Problem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

FLOW_NODES = {
    "task",
    "userTask",
    "manualTask",
    "scriptTask",
    "serviceTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "startEvent",
    "endEvent",
    "boundaryEvent",
}


def _label(node) -> str:
    name = node.get("name")
    return f"“{name}” ({node.get('id')})" if name else node.get("id", "?")


def _containers(root):
    yield from root.iter(f"{BPMN}process")
    yield from root.iter(f"{BPMN}subProcess")


def _flow_ends(container) -> tuple[set[str], set[str]]:
    sources, targets = set(), set()
    for flow in container.findall(f"{BPMN}sequenceFlow"):
        sources.add(flow.get("sourceRef"))
        targets.add(flow.get("targetRef"))
    return sources, targets


def dead_ends_and_orphans(root) -> list[Problem]:
    """A problem per flow node that nothing leads to, or that leads nowhere."""
    problems: list[Problem] = []
    for container in _containers(root):
        sources, targets = _flow_ends(container)
        event_subprocess = container.get("triggeredByEvent") == "true"
        for node in container:
            kind = node.tag.removeprefix(BPMN)
            if kind not in FLOW_NODES:
                continue
            node_id = node.get("id")
            starts = kind in ("startEvent", "boundaryEvent") or event_subprocess
            if not starts and node_id not in targets and not _is_link(node):
                problems.append(
                    Problem(
                        f"{_label(node)}: nothing leads to this {_kind(kind)}, "
                        "so no case can ever reach it",
                        node_id,
                    )
                )
            if kind != "endEvent" and node_id not in sources and not _is_link(node):
                problems.append(
                    Problem(
                        f"{_label(node)}: nothing follows this {_kind(kind)}; "
                        "connect it to the next step or to an end event",
                        node_id,
                    )
                )
    return problems


def _is_link(node) -> bool:
    """Link events jump without a sequence flow: a throw and its catch are joined by name."""
    return node.find(f"{BPMN}linkEventDefinition") is not None


def _kind(tag: str) -> str:
    """`userTask` → `user task`, for messages a process owner reads."""
    return "".join(f" {c.lower()}" if c.isupper() else c for c in tag)
