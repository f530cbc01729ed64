"""Diagrams drawn in other modellers (Camunda 7 and 8, Signavio): read what maps, refuse the rest.

Each tool stores the same ideas in its own extension attributes. Where the product has the same
idea (the form a user task shows), it is copied into the product's own property and the process
owner is told; where it has none (Groovy scripts, Java delegates, FEEL expressions), the
diagram is refused naming the element and the reason. Nothing else is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.platform.errors import Problem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
SIGNAVIO = "http://www.signavio.com"
PYTHON_SCRIPTS = {"", "python", "text/x-python"}
JAVA_HOOKS = ("class", "delegateExpression", "expression", "type", "topic")


@dataclass
class Adapted:
    """What reading a foreign diagram changed (notes) and what it could not map (problems)."""

    tool: str | None = None
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changed: bool = False


def detect(root) -> str | None:
    namespaces = set(root.nsmap.values())
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            namespaces.add(node.tag[1:].split("}")[0])
    if ZEEBE in namespaces:
        return "Camunda 8"
    if CAMUNDA in namespaces:
        return "Camunda 7"
    if SIGNAVIO in namespaces or (root.get("exporter") or "").lower().startswith("signavio"):
        return "Signavio"
    return None


def adapt(root) -> Adapted:
    """Map a foreign diagram's tree in place onto the product's conventions."""
    result = Adapted(tool=detect(root))
    if result.tool is None:
        return result
    _make_single_process_executable(root, result)
    for task in root.iter(f"{{{BPMN}}}userTask"):
        _copy_form_key(task, result)
    for script in root.iter(f"{{{BPMN}}}scriptTask"):
        language = (script.get("scriptFormat") or "").strip().lower()
        if language not in PYTHON_SCRIPTS:
            result.problems.append(
                _refuse(script, f"a {language} script cannot run here; scripts are Python")
            )
        if (
            script.find(f"{{{BPMN}}}script") is None
            and script.find(f".//{{{ZEEBE}}}script") is not None
        ):
            result.problems.append(_refuse(script, "a FEEL script cannot run here"))
    for tag in ("serviceTask", "sendTask", "businessRuleTask"):
        for task in root.iter(f"{{{BPMN}}}{tag}"):
            _refuse_java_hooks(task, result)
    return result


def _make_single_process_executable(root, result: Adapted) -> None:
    """Signavio exports mark processes not executable; one process drawn is the one to run."""
    processes = list(root.iter(f"{{{BPMN}}}process"))
    if len(processes) == 1 and processes[0].get("isExecutable") != "true":
        processes[0].set("isExecutable", "true")
        result.changed = True
        result.notes.append(f"Process {processes[0].get('id')} marked executable.")


def _copy_form_key(task, result: Adapted) -> None:
    key = task.get(f"{{{CAMUNDA}}}formKey")
    definition = task.find(f".//{{{ZEEBE}}}formDefinition")
    if key is None and definition is not None:
        key = definition.get("formKey") or definition.get("formId")
    if not key:
        return
    key = key.removeprefix("embedded:").removeprefix("app:").removeprefix("camunda-forms:")
    if _spiff_property(task, "formKey") is not None:
        return
    extensions = task.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN}}}extensionElements")
        task.insert(0, extensions)
    properties = extensions.find(f"{{{SPIFF}}}properties")
    if properties is None:
        properties = etree.SubElement(extensions, f"{{{SPIFF}}}properties")
    etree.SubElement(properties, f"{{{SPIFF}}}property", name="formKey", value=key)
    result.changed = True
    result.notes.append(f"{_label(task)}: the {result.tool} form key “{key}” is its form.")


def _spiff_property(task, name: str):
    for prop in task.iter(f"{{{SPIFF}}}property"):
        if prop.get("name") == name:
            return prop
    return None


def _refuse_java_hooks(task, result: Adapted) -> None:
    for attribute in JAVA_HOOKS:
        value = task.get(f"{{{CAMUNDA}}}{attribute}")
        if value:
            result.problems.append(
                _refuse(task, f"it calls Java code ({attribute} “{value}”), which cannot run here")
            )
    definition = task.find(f".//{{{ZEEBE}}}taskDefinition")
    if definition is not None:
        result.problems.append(
            _refuse(task, f"it needs a Zeebe job worker (“{definition.get('type')}”)")
        )


def _label(node) -> str:
    name = node.get("name")
    return f"“{name}” ({node.get('id')})" if name else str(node.get("id"))


def _refuse(node, reason: str) -> Problem:
    return Problem(f"{_label(node)}: {reason}", node.get("id"))
