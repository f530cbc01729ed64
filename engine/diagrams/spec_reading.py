"""Reading the process specs from a diagram tree, reporting every element the parser refuses.

SpiffWorkflow's parser stops at the first element it cannot read, so one mistake would hide
every other. Each refused element is set aside in a copy of the tree (kept with its id and its
flows, stripped of what the parser tripped on) and the diagram read again, a bounded number of
times, so the owner sees every refusal at once and the later checks still run on the rest.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from pathlib import Path

from SpiffWorkflow.spiff.parser import VALIDATOR
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.diagrams import refusals
from engine.platform.errors import InvalidDiagram, Problem

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MAX_REFUSALS = 25
MAX_SCHEMA_PROBLEMS = 10
_SCHEMA_LOCK = threading.Lock()  # one compiled schema, whose error log is shared
# What a set-aside element keeps: enough for the flows and boundary events around it to hold.
KEPT_ATTRIBUTES = {
    "id",
    "name",
    "attachedToRef",
    "cancelActivity",
    "default",
    "triggeredByEvent",
    "sourceRef",
    "targetRef",
    "isExecutable",
}
KEPT_CHILDREN = {f"{BPMN}incoming", f"{BPMN}outgoing"}


@dataclass
class Specs:
    """The main process's spec and its subprocesses' when they could be read; the refusals."""

    process_id: str | None = None
    spec: object = None
    subprocess_specs: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read(root, filename: str) -> Specs:
    """Every refusal, and the specs of what is left once the refused parts are set aside."""
    result = Specs(problems=schema_problems(root))
    if result.problems:
        return result
    tree, refused = root, set()
    for event, problem in _unknown_messages(root):
        result.problems.append(problem)
        tree = copy.deepcopy(root) if tree is root else tree
        _set_aside(tree, event)
        refused.add(event)
    for _ in range(MAX_REFUSALS):
        parser = SpiffBpmnParser()
        try:
            parser.add_bpmn_xml(tree, filename=filename)
            result.process_id = main_process_id(parser, filename, tree)
            result.spec = parser.get_spec(result.process_id)
            result.subprocess_specs = parser.get_subprocess_specs(result.process_id)
            return result
        except InvalidDiagram as exc:
            result.problems += exc.problems
            return result
        except Exception as exc:  # noqa: BLE001 - whatever the parser raises is a refusal
            problem = refusals.plain(exc, tree)
            result.problems.append(problem)
            if not problem.element or problem.element in refused:
                return result
            refused.add(problem.element)
            if tree is root:
                tree = copy.deepcopy(root)
            if not _set_aside(tree, problem.element):
                return result
    return result


def schema_problems(root) -> list[Problem]:
    """Each place the file breaks the BPMN schema, by line and element (not only the last)."""
    VALIDATOR.preprocess(root)
    schema = VALIDATOR.validator
    with _SCHEMA_LOCK:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)[:MAX_SCHEMA_PROBLEMS]
    return [refusals.schema(error, root) for error in errors]


def main_process_id(parser: SpiffBpmnParser, filename: str, root) -> str:
    ids = parser.get_process_ids()
    stem = Path(filename).stem
    if stem in ids:
        return stem
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise InvalidDiagram([refusals.not_executable(root)])
    raise InvalidDiagram(
        [
            "the file has more than one process that can run ("
            + ", ".join(sorted(ids))
            + "): keep only the one this diagram is for"
        ]
    )


def _unknown_messages(root):
    """Message events naming a message the file does not define (the parser raises a TypeError)."""
    messages = {m.get("id") for m in root.iter(f"{BPMN}message")}
    for definition in root.iter(f"{BPMN}messageEventDefinition"):
        ref = definition.get("messageRef")
        event = definition.getparent()
        if ref and ref not in messages and event.get("id"):
            where = refusals.label(event.get("id"), event.get("name"), event.tag)
            yield (
                event.get("id"),
                Problem(
                    f"{where}: this message event names the message “{ref}”, which the file "
                    "does not define",
                    event.get("id"),
                ),
            )


def _set_aside(tree, element_id: str) -> bool:
    for node in tree.iter():
        if node.get("id") != element_id or not isinstance(node.tag, str):
            continue
        for child in list(node):
            if child.tag not in KEPT_CHILDREN:
                node.remove(child)
        for name in list(node.attrib):
            if name not in KEPT_ATTRIBUTES:
                del node.attrib[name]
        is_step = node.tag.endswith("Task") or node.tag.endswith("subProcess")
        if node.tag.startswith(BPMN) and is_step:
            node.tag = f"{BPMN}task"  # a plain step: nothing more for the parser to refuse
        return True
    return False
