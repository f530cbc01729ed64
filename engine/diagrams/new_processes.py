"""New processes made in the browser, and retiring a process.

A process owner makes a process from a blank start and end, from a copy of one already
deployed, or from a .bpmn file, and says how it starts: for a child from the child's page, from
another diagram's `start_process`, or both. It is checked and deployed as its version 1, exactly
as a new version of a shipped diagram is (`diagram_editing.deploy`), so from then on it is
edited, compared, moved and rolled back like any other. Retiring stops new starts only: running
cases carry on to their end on the version they are on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from lxml import etree
from sqlalchemy.orm import Session

from engine.diagrams import diagram_editing, registry
from engine.models import audit
from engine.models.catalogue import CatalogueEntry, entry
from engine.models.people import User
from engine.models.processes import latest_version
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidDiagram, NotFound

PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
NAME_LIMIT = 200
BLANK, COPY, FILE = "blank", "copy", "file"


@dataclass(frozen=True)
class StartModes:
    """How a process starts: from a child's page, from another diagram, or both."""

    from_child_page: bool
    from_diagrams: bool


def blank_xml(process_id: str, name: str) -> str:
    """A start, an end and the flow between them, drawn: the least a process can be."""
    pid, label = quoteattr(process_id), quoteattr(name)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
id="definitions" targetNamespace="https://cpc.example.invalid/processes">
  <bpmn:process id={pid} name={label} isExecutable="true">
    <bpmn:startEvent id="start" name="Started">
      <bpmn:outgoing>flow_start_to_end</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:endEvent id="end" name="Done">
      <bpmn:incoming>flow_start_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_to_end" sourceRef="start" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement={pid}>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="160" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end">
        <dc:Bounds x="400" y="160" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_start_to_end_di" bpmnElement="flow_start_to_end">
        <di:waypoint x="216" y="178"/>
        <di:waypoint x="400" y="178"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def renamed(xml: bytes, old_id: str | None, process_id: str, name: str) -> str:
    """The diagram with its process given the new id and name (references follow)."""
    root = registry.safe_tree(xml)
    processes = list(root.iter(f"{diagram_editing.BPMN}process"))
    if old_id is None:
        executable = [p for p in processes if p.get("isExecutable") == "true"]
        chosen = executable if len(executable) == 1 else processes
        if len(chosen) != 1:
            raise InvalidDiagram(["the file must hold one process to make a new process from"])
        old_id = chosen[0].get("id")
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        for attribute, value in node.attrib.items():
            if value == old_id:
                node.set(attribute, process_id)
    for process in root.iter(f"{diagram_editing.BPMN}process"):
        if process.get("id") == process_id:
            process.set("name", name)
    for participant in root.iter(f"{diagram_editing.BPMN}participant"):
        if participant.get("processRef") == process_id:
            participant.set("name", name)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def create(
    session: Session,
    actor: User,
    process_id: str,
    name: str,
    modes: StartModes,
    form_exists: Callable[[str], bool],
    now,
    *,
    how: str = BLANK,
    copy_of: str | None = None,
    file: bytes | None = None,
    filename: str = "",
):
    """Make the process and deploy it as version 1; every problem is refused before anything
    is stored, so a refused attempt can be corrected and sent again."""
    diagram_editing.require_owner(actor)
    process_id, name = (process_id or "").strip(), (name or "").strip()
    _check_identity(session, process_id, name)
    if not (modes.from_child_page or modes.from_diagrams):
        raise EngineError(
            "Choose how the process starts: from a child's page, from another diagram, or both."
        )
    if how == BLANK:
        xml, made_from = blank_xml(process_id, name), "a blank start and end"
    elif how == COPY:
        source = latest_version(session, copy_of or "")
        if source is None:
            raise NotFound("Choose a deployed process to copy.")
        xml = renamed(source.bpmn_xml.encode("utf-8"), source.process_id, process_id, name)
        made_from = f"a copy of {source.process_id} version {source.number}"
    elif how == FILE:
        if not file:
            raise EngineError("Choose a .bpmn file to make the process from.")
        xml = renamed(file, None, process_id, name)
        made_from = f"the file {(filename or 'diagram.bpmn')[:150]}"
    else:
        raise EngineError("Choose a blank process, a copy or a file.")
    comment = f"New process, made from {made_from}."
    copied_from = source.process_id if how == COPY else None
    result = diagram_editing.check(xml, process_id, form_exists, copied_from)
    if not result.valid:
        raise InvalidDiagram(list(result.problems))
    with transaction(session):
        session.add(
            CatalogueEntry(
                process_id=process_id,
                from_child_page=modes.from_child_page,
                from_diagrams=modes.from_diagrams,
                copied_from=copied_from,
                made_from=made_from,
                made_at=now,
                made_by_id=actor.id,
                made_by=actor.username,
            )
        )
        version, _new = registry.deploy(
            session, result.diagram, actor.username, actor.id, now, comment=comment
        )
        audit.record(
            session,
            actor,
            "process.created",
            now,
            process_id=process_id,
            version_id=version.id,
            made_from=made_from,
        )
    return version


def _check_identity(session: Session, process_id: str, name: str) -> None:
    if not PROCESS_ID.match(process_id):
        raise EngineError(
            "Give the process an id of 3 to 64 lower-case letters, digits and underscores, "
            "starting with a letter (for example childrens_meeting)."
        )
    if latest_version(session, process_id) is not None or entry(session, process_id):
        raise EngineError(f"There is already a process “{process_id}”: choose another id.")
    if not name:
        raise EngineError("Give the process a name people will recognise.")
    if len(name) > NAME_LIMIT:
        raise EngineError(f"Keep the name to {NAME_LIMIT} characters or fewer.")


def change_modes(session: Session, actor: User, process_id: str, modes: StartModes, now):
    """Change how a process made in the browser starts."""
    diagram_editing.require_owner(actor)
    found = entry(session, process_id)
    if found is None or not found.made_by:
        raise EngineError(f"“{process_id}” was not made in the browser; its starts are fixed.")
    if not (modes.from_child_page or modes.from_diagrams):
        raise EngineError("Choose at least one way the process starts.")
    with transaction(session):
        found.from_child_page, found.from_diagrams = modes.from_child_page, modes.from_diagrams
        audit.record(
            session,
            actor,
            "process.starts_changed",
            now,
            process_id=process_id,
            from_child_page=modes.from_child_page,
            from_diagrams=modes.from_diagrams,
        )
    return found


def retire(session: Session, actor: User, process_id: str, reason: str, now) -> CatalogueEntry:
    """No new starts from now on; running cases are left to finish."""
    diagram_editing.require_owner(actor)
    if latest_version(session, process_id) is None:
        raise NotFound(f"No process “{process_id}” has been deployed.")
    reason = (reason or "").strip()
    if not reason:
        raise EngineError("Say why the process is being retired.")
    with transaction(session):
        found = entry(session, process_id)
        if found is None:  # a shipped process: its starts stay as the code has them
            found = CatalogueEntry(process_id=process_id, made_at=now)
            session.add(found)
        if found.retired:
            raise EngineError(f"“{process_id}” is already retired.")
        found.retired_at, found.retired_by, found.retired_why = now, actor.username, reason
        audit.record(session, actor, "process.retired", now, process_id=process_id, why=reason)
    return found


def bring_back(session: Session, actor: User, process_id: str, now) -> CatalogueEntry:
    """Undo a retirement: new cases may start again."""
    diagram_editing.require_owner(actor)
    found = entry(session, process_id)
    if found is None or not found.retired:
        raise EngineError(f"“{process_id}” is not retired.")
    with transaction(session):
        found.retired_at = found.retired_by = found.retired_why = None
        audit.record(session, actor, "process.unretired", now, process_id=process_id)
    return found
