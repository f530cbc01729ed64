"""Lay a diagram out again along its lanes, so that no shape or label overlaps another.

Only the drawing (BPMN DI) changes: every element id, flow, script and property is kept, so a
laid-out diagram runs exactly as before. Each step gets a column from the longest path to it
(a step after a timer's host comes after the host), and a row within its lane; an expanded
subprocess is laid out inside its own columns. Timers sit on their host's lower edge with
their names stacked beneath it. Run it on a file to rewrite it:

    python -m engine.diagrams.layout processes/icpc.bpmn
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
NODES = frozenset(
    {
        "task",
        "userTask",
        "scriptTask",
        "serviceTask",
        "manualTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
    }
)
COLUMN = 190  # a column's width: a step, its timers' names, and room for the flows
ROW = 190  # a row's height in a lane: a step, the timers on it and their names
LABEL_LINE = 16
POOL_X, LANE_X, TOP = 120, 150, 40
PAD = 30  # inside a subprocess, around its steps


@dataclass
class Placed:
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class Layout:
    columns: dict[str, int] = field(default_factory=dict)  # node id → global column
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # subprocess → columns
    width: int = 0  # columns used


def _local(node) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _children(container) -> list:
    return [n for n in container if _local(n) in NODES]


def _ranks(container, boundaries) -> dict[str, int]:
    """Longest path from the container's starts, back edges ignored."""
    nodes = {n.get("id") for n in _children(container)}
    edges: dict[str, list[str]] = {n: [] for n in nodes}
    for flow in container.iter(f"{BPMN}sequenceFlow"):
        if flow.getparent() is not container:
            continue
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        source = boundaries.get(source, source)
        if source in nodes and target in nodes:
            edges[source].append(target)
    order: list[str] = []
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()

    def visit(node):
        state[node] = 1
        for target in edges[node]:
            if state.get(target) == 1:
                back.add((node, target))
            elif target not in state:
                visit(target)
        state[node] = 2
        order.append(node)

    ids = [n.get("id") for n in _children(container)]
    incoming = {t for s in edges for t in edges[s]}
    for node in [i for i in ids if i not in incoming] + ids:
        if node not in state:
            visit(node)
    rank = dict.fromkeys(ids, 0)
    for node in reversed(order):
        for target in edges[node]:
            if (node, target) not in back:
                rank[target] = max(rank[target], rank[node] + 1)
    return rank


def _layout(container, boundaries, first: int, out: Layout) -> int:
    """Give the container's nodes columns from `first`; the next free column."""
    ranks = _ranks(container, boundaries)
    by_rank: dict[int, list] = {}
    for node in _children(container):
        by_rank.setdefault(ranks[node.get("id")], []).append(node)
    column = first
    for rank in sorted(by_rank):
        nodes = by_rank[rank]
        subs = [n for n in nodes if _local(n) == "subProcess" and _children(n)]
        for node in nodes:
            if node not in subs:
                out.columns[node.get("id")] = column
        if [n for n in nodes if n not in subs]:
            column += 1
        for sub in subs:
            end = _layout(sub, boundaries, column, out)
            out.spans[sub.get("id")] = (column, end)
            column = end
    return column


def lay_out(xml: bytes) -> bytes:
    """The same diagram with a clean drawing."""
    root = etree.fromstring(xml)
    process = next(p for p in root.iter(f"{BPMN}process") if p.get("isExecutable") == "true")
    elements = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    shapes = {s.get("bpmnElement"): s for s in root.iter(f"{BPMNDI}BPMNShape")}
    boundary_events = [e for e in process.iter(f"{BPMN}boundaryEvent")]
    boundaries = {b.get("id"): b.get("attachedToRef") for b in boundary_events}
    layout = Layout()
    layout.width = _layout(process, boundaries, 0, layout)
    lanes = [lane for lane in process.iter(f"{BPMN}lane")]
    lane_of = {ref.text.strip(): lane.get("id") for lane in lanes for ref in lane if ref.text}
    cells: dict[tuple[str, int], list[str]] = {}
    for node_id, column in layout.columns.items():
        lane = lane_of.get(node_id, lanes[0].get("id") if lanes else "")
        cells.setdefault((lane, column), []).append(node_id)
    rows = {lane.get("id"): 1 for lane in lanes}
    for (lane, _column), ids in cells.items():
        rows[lane] = max(rows.get(lane, 1), len(ids))
    lane_y, y = {}, TOP
    for lane in lanes:
        lane_y[lane.get("id")] = y
        y += rows[lane.get("id")] * ROW + 20
    bottom = y
    left = LANE_X + 40
    placed: dict[str, Placed] = {}

    def size(node_id):
        """Events and gateways at their standard sizes; steps as drawn."""
        kind = _local(elements[node_id])
        if kind.endswith("Event"):
            return 36.0, 36.0
        if kind.endswith("Gateway"):
            return 50.0, 50.0
        bounds = shapes[node_id].find(f"{DC}Bounds")
        return float(bounds.get("width")), float(bounds.get("height"))

    order = _reading_order(process, boundary_events)
    for (lane, column), ids in cells.items():
        for row, node_id in enumerate(sorted(ids, key=lambda i: order.get(i, (2, 0, i)))):
            w, h = size(node_id)
            slot_x, slot_y = left + column * COLUMN, lane_y[lane] + 10 + row * ROW
            placed[node_id] = Placed(slot_x + (110 - w) / 2 + 20, slot_y + 20 + (70 - h) / 2, w, h)
    for sub, (start, end) in layout.spans.items():
        x0 = left + start * COLUMN - PAD + 10
        placed[sub] = Placed(x0, TOP + 10, (end - start) * COLUMN + PAD - 20, bottom - TOP - 30)
    _place_boundaries(boundary_events, placed, size, shapes)
    width = left + layout.width * COLUMN + 40
    _set_bounds(shapes, placed)
    _set_labels(elements, shapes, placed, boundaries)
    for participant in root.iter(f"{BPMN}participant"):
        if participant.get("id") in shapes:
            _bounds(shapes[participant.get("id")], POOL_X, TOP, width - POOL_X, bottom - TOP)
    for lane in lanes:
        height = rows[lane.get("id")] * ROW + 20
        _bounds(shapes[lane.get("id")], LANE_X, lane_y[lane.get("id")], width - LANE_X, height)
    _route(root, elements, placed, boundaries, bottom)
    for diagram in root.iter(f"{BPMNDI}BPMNDiagram"):
        etree.indent(diagram, space="  ", level=1)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def _reading_order(process, boundary_events) -> dict[str, tuple]:
    """Within a cell: the steps the case goes through first (reached from a start without a
    timer), then each timer's follow-on steps, in the order the timers are written."""
    following: dict[str, list[str]] = {}
    for flow in process.iter(f"{BPMN}sequenceFlow"):
        following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))

    def reach(starts) -> list[str]:
        seen, todo = [], list(starts)
        while todo:
            node = todo.pop(0)
            if node not in seen:
                seen.append(node)
                todo += following.get(node, [])
        return seen

    starts = [e.get("id") for e in process.iter(f"{BPMN}startEvent")]
    order = {node: (0, 0, node) for node in reach(starts)}
    for index, event in enumerate(boundary_events, start=1):
        for node in reach([event.get("id")]):
            order.setdefault(node, (1, index, node))
    return order


def _place_boundaries(events, placed, size, shapes) -> None:
    by_host: dict[str, list] = {}
    for event in events:
        by_host.setdefault(event.get("attachedToRef"), []).append(event)
    for host_id, attached in by_host.items():
        host = placed[host_id]
        gap = 9 if host.w < 300 else 150
        total = len(attached) * 36 + (len(attached) - 1) * gap
        x = host.x + host.w / 2 - total / 2 if host.w < 300 else host.x + 40
        for event in attached:
            w, h = size(event.get("id"))
            placed[event.get("id")] = Placed(x, host.y + host.h - h / 2, w, h)
            x += w + gap


def _bounds(shape, x, y, w, h) -> None:
    bounds = shape.find(f"{DC}Bounds")
    for name, value in (("x", x), ("y", y), ("width", w), ("height", h)):
        bounds.set(name, str(round(value)))


def _set_bounds(shapes, placed) -> None:
    for node_id, at in placed.items():
        if node_id in shapes:
            _bounds(shapes[node_id], at.x, at.y, at.w, at.h)


def _set_labels(elements, shapes, placed, boundaries) -> None:
    """Names of events and gateways below them; a host's timers' names stacked under it."""
    stacked: dict[str, int] = {}
    for node_id, at in placed.items():
        element, shape = elements[node_id], shapes.get(node_id)
        kind = _local(element)
        if shape is None or not (kind.endswith("Event") or kind.endswith("Gateway")):
            continue
        label = shape.find(f"{BPMNDI}BPMNLabel")
        if not element.get("name"):
            if label is not None:
                shape.remove(label)
            continue
        if label is None:
            label = etree.SubElement(shape, f"{BPMNDI}BPMNLabel")
            etree.SubElement(label, f"{DC}Bounds")
        host = boundaries.get(node_id)
        if host is not None and placed[host].w < 300:
            line = stacked.get(host, 0)
            stacked[host] = line + 1
            top = placed[host].y + placed[host].h + 22 + line * LABEL_LINE
            _bounds(label, placed[host].x - 20, top, 150, LABEL_LINE - 2)
        elif host is not None:
            _bounds(label, at.x + at.w + 4, at.y + 22, 100, 27)
        else:
            _bounds(label, at.x + at.w / 2 - 75, at.y + at.h + 6, 150, 27)


def _route(root, elements, placed, boundaries, bottom) -> None:
    """Each flow from its source's side (a timer's lower edge) to its target's left side."""
    for edge in root.iter(f"{BPMNDI}BPMNEdge"):
        flow = elements.get(edge.get("bpmnElement"))
        if flow is None or _local(flow) != "sequenceFlow":
            continue
        source, target = placed.get(flow.get("sourceRef")), placed.get(flow.get("targetRef"))
        if source is None or target is None:
            continue
        for point in edge.findall(f"{DI}waypoint"):
            edge.remove(point)
        ty = target.y + target.h / 2
        if flow.get("sourceRef") in boundaries:
            sx, sy = source.x + source.w / 2, source.y + source.h
            points = [(sx, sy), (sx, ty), (target.x, ty)] if target.x > sx else None
        else:
            sx, sy = source.x + source.w, source.y + source.h / 2
            points = None
            if target.x > sx:
                mx = target.x - 25
                points = [(sx, sy), (mx, sy), (mx, ty), (target.x, ty)]
        if points is None:  # back to an earlier column: below everything
            low = bottom - 14
            points = [(sx, sy), (sx + 15, sy), (sx + 15, low), (target.x - 15, low)]
            points += [(target.x - 15, ty), (target.x, ty)]
        label = edge.find(f"{BPMNDI}BPMNLabel")
        for x, y in points:
            point = etree.Element(f"{DI}waypoint")
            point.set("x", str(round(x)))
            point.set("y", str(round(y)))
            if label is not None:
                label.addprevious(point)
            else:
                edge.append(point)
        if label is not None:
            (x1, y1), (x2, _y2) = points[0], points[1]
            _bounds(label, min(x1, x2) + 4, y1 - 18, 60, 14)


def main(paths: list[str]) -> None:
    for path in paths:
        file = Path(path)
        file.write_bytes(lay_out(file.read_bytes()) + b"\n")


if __name__ == "__main__":
    main(sys.argv[1:])
