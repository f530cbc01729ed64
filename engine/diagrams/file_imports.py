"""Whether an opened file is a version of this process, and adopting one that is not.

Opening a file in a process's editor replaces that process's diagram once deployed. A file that
is plainly another diagram (another process id, another name, or hardly a step in common) is
said to be so, and is only opened when the process owner confirms; it then takes this
process's id, so that deploying it makes the next version of this process and nothing else.
"""

from __future__ import annotations

from lxml import etree

from engine.diagrams import diagram_checks, registry

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SAME_ENOUGH = 0.5  # share of the version in use's steps the file must keep to count as it


def differences(file_xml: bytes, deployed_xml: str, process_id: str) -> list[str]:
    """Why the file is not simply a new version of the process in use (empty when it is)."""
    try:
        root = registry.safe_tree(file_xml)
    except Exception:  # noqa: BLE001 - a refused file is reported by the check, not here
        return []
    deployed = registry.safe_tree(deployed_xml.encode("utf-8"))
    reasons = []
    process, current = _main_process(root, process_id), _main_process(deployed, process_id)
    if process is None or current is None:
        return reasons
    if process.get("id") != process_id:
        reasons.append(f"its process is “{process.get('id')}”, not “{process_id}”")
    name, current_name = process.get("name") or "", current.get("name") or ""
    if name.strip() != current_name.strip():
        reasons.append(f"it is named “{name or 'nothing'}”, not “{current_name}”")
    steps, current_steps = _steps(process), _steps(current)
    kept = len(steps & current_steps)
    if current_steps and kept < SAME_ENOUGH * len(current_steps):
        reasons.append(f"it keeps {kept} of the {len(current_steps)} steps of the version in use")
    return reasons


def adopt(file_xml: bytes, process_id: str) -> bytes:
    """The file with its one process renamed to `process_id` (references to it follow)."""
    root = registry.safe_tree(file_xml)
    process = _main_process(root, process_id)
    if process is None or process.get("id") == process_id:
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    old = process.get("id")
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute, value in node.attrib.items():
            if value == old:
                node.set(attribute, process_id)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _main_process(root, process_id: str):
    processes = list(root.iter(f"{BPMN}process"))
    for process in processes:
        if process.get("id") == process_id:
            return process
    return processes[0] if len(processes) == 1 else None


def _steps(process) -> set[str]:
    return {
        node.get("id")
        for node in process.iter()
        if isinstance(node.tag, str)
        and node.tag.removeprefix(BPMN) in diagram_checks.FLOW_NODES
        and node.get("id")
    }
