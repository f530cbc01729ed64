"""What a process owner does to a diagram: check it, keep a draft, deploy it with a reason.

Checking reports every problem with the element at fault, so the editor can mark it on the
canvas. A draft may be unfinished (that is what drafts are for) but is always safe XML of the
process it belongs to. Deploying needs a valid diagram and a reason, is audited, and clears the
draft; instances already running stay on their version until they are moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.diagrams import form_versions, registry
from engine.models import audit, catalogue
from engine.models.diagrams import DiagramDraft, draft_for
from engine.models.people import User
from engine.models.processes import ProcessVersion, latest_version
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidDiagram, NotAllowed, NotFound, Problem
from engine.workflow import permissions

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of validating a diagram: the parsed diagram, or the problems found."""

    diagram: registry.Diagram | None
    problems: tuple[Problem, ...]

    @property
    def valid(self) -> bool:
        return self.diagram is not None

    def as_json(self) -> dict:
        return {
            "valid": self.valid,
            "problems": [
                {"element": getattr(p, "element", None), "message": str(p)} for p in self.problems
            ],
            "notes": list(self.diagram.notes) if self.diagram else [],
        }


REASON_LIMIT = 2000  # a deploy's reason, shown in the version list and the audit trail


def check(
    xml: bytes | str,
    process_id: str,
    form_exists: Callable[[str], bool],
    start_as: str | None = None,
) -> CheckResult:
    """Validate a diagram meant as a new version of `process_id` (`start_as`: the process
    it is a copy of, whose start data it also has)."""
    try:
        diagram = registry.parse(xml, f"{process_id}.bpmn", form_exists, start_as)
    except InvalidDiagram as exc:
        return CheckResult(None, tuple(_located(p) for p in exc.problems))
    if diagram.process_id != process_id:
        problem = Problem(
            f"this diagram is the process “{diagram.process_id}”, not “{process_id}”; "
            "its executable process must keep the id " + process_id,
            diagram.process_id,
        )
        return CheckResult(None, (problem,))
    return CheckResult(diagram, ())


def _located(problem: str) -> Problem:
    return problem if isinstance(problem, Problem) else Problem(problem)


def save_draft(
    session: Session, actor: User, process_id: str, xml: bytes | str, now
) -> DiagramDraft:
    """Keep unfinished work; refuse only what is unsafe or not this process's diagram."""
    require_owner(actor)
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    root = registry.safe_tree(raw)
    ids = [p.get("id") for p in root.iter(f"{BPMN}process")]
    if process_id not in ids:
        raise InvalidDiagram([f"this file has no process with the id “{process_id}”"])
    latest = latest_version(session, process_id)
    with transaction(session):
        draft = draft_for(session, process_id) or DiagramDraft(process_id=process_id)
        draft.bpmn_xml = raw.decode("utf-8")
        draft.based_on_id = latest.id if latest else None
        draft.saved_at, draft.saved_by_id, draft.saved_by = now, actor.id, actor.username
        session.add(draft)
        audit.record(session, actor, "diagram.draft_saved", now, process_id=process_id)
    return draft


def discard_draft(session: Session, actor: User, process_id: str, now) -> None:
    require_owner(actor)
    with transaction(session):
        draft = draft_for(session, process_id)
        if draft is not None:
            session.delete(draft)
            audit.record(session, actor, "diagram.draft_discarded", now, process_id=process_id)


def deploy(
    session: Session,
    actor: User,
    process_id: str,
    xml: bytes | str,
    comment: str,
    form_exists: Callable[[str], bool],
    now,
) -> tuple[ProcessVersion, bool]:
    """Validate and deploy as the next version; `(version, False)` when nothing changed."""
    require_owner(actor)
    comment = (comment or "").strip()
    if not comment:
        raise EngineError("Say why you are deploying this version (for example, what changed).")
    if len(comment) > REASON_LIMIT:
        raise EngineError(
            f"Keep the reason for deploying to {REASON_LIMIT:,} characters or fewer "
            f"(it has {len(comment):,})."
        )
    result = check(xml, process_id, form_exists, catalogue.starts_like(session, process_id))
    if not result.valid:
        raise InvalidDiagram(list(result.problems))
    problems = unstartable(session, result.diagram.xml)
    if problems:
        raise InvalidDiagram(problems)
    source = form_exists if isinstance(form_exists, form_versions.FormSource) else None
    with transaction(session):
        version, new = registry.deploy(
            session,
            result.diagram,
            actor.username,
            actor.id,
            now,
            comment=comment,
            forms_source=source,
        )
        if new:
            audit.record(
                session,
                actor,
                "process.deployed",
                now,
                process_id=process_id,
                version_id=version.id,
                comment=comment,
            )
            draft = draft_for(session, process_id)
            if draft is not None:
                session.delete(draft)
    return version, new


def roll_back(
    session: Session,
    actor: User,
    process_id: str,
    version_id: int,
    reason: str,
    form_exists: Callable[[str], bool],
    now,
) -> tuple[ProcessVersion, bool]:
    """Deploy an earlier version's diagram again as the newest version, with the reason.

    The earlier version itself is never touched: going back is a new version, so the list of
    versions stays the true history and running cases are moved as after any deploy.
    """
    earlier = session.get(ProcessVersion, version_id)
    if earlier is None or earlier.process_id != process_id:
        raise NotFound(f"Version {version_id} is not a version of “{process_id}”.")
    reason = (reason or "").strip()
    if not reason:
        raise EngineError("Say why you are going back to this version.")
    comment = f"Back to version {earlier.number}: {reason}"
    return deploy(session, actor, process_id, earlier.bpmn_xml, comment, form_exists, now)


STARTS = re.compile(r"start_process\(\s*[\"'](\w+)[\"']")


def unstartable(session: Session, xml: str) -> list[Problem]:
    """The processes this diagram starts that may not be started by a diagram any more."""
    problems = []
    for target in sorted(set(STARTS.findall(xml))):
        found = catalogue.entry(session, target)
        if found is None:
            continue
        if found.retired:
            problems.append(Problem(f"it starts “{target}”, which is retired", target))
        elif found.made_by and not found.from_diagrams:
            problems.append(
                Problem(f"it starts “{target}”, which starts only from a child's page", target)
            )
    return problems


def require_owner(actor: User) -> None:
    if not permissions.can_deploy(actor):
        raise NotAllowed("Only process owners can change diagrams.")
