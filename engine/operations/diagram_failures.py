"""What a diagram version causes: its failed steps and timers, for the process owner.

A script that raises, a name the check could not see, code over its budget: the person
doing the step sees "the process could not continue", and a failing timer backs off on the
Scheduler page, which is for managers. The process owner, who can fix the diagram, sees them
here per version: the element, the message, the cases and when, with a count per element to
draw on the diagram. Once the cases sit on a version deployed after they failed (a fix, and
the cases moved to it), their timers can be retried from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.diagrams import registry
from engine.models import audit
from engine.models import diagram_failures as rows
from engine.models.base import fetch
from engine.models.instances import ProcessInstance
from engine.models.processes import ProcessVersion, latest_version
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidDiagram, NotAllowed
from engine.workflow import permissions, timers

TIMER, STEP = "timer", "step"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass
class Failure:
    """One kind of failure at one element: the cases it hit and when."""

    kind: str  # TIMER or STEP
    element: str
    label: str
    message: str
    first_at: datetime
    last_at: datetime
    cases: list[ProcessInstance] = field(default_factory=list)
    stopped: int = 0  # timers that have stopped trying until someone retries

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.element}"


@dataclass
class VersionFailures:
    version: ProcessVersion
    failures: list[Failure]
    newer: ProcessVersion | None  # the latest version, when this one is not it

    @property
    def counts(self) -> dict[str, int]:
        """Cases per element, for the diagram: every failure at it, timers and steps."""
        cases: dict[str, set[int]] = {}
        for failure in self.failures:
            cases.setdefault(failure.element, set()).update(c.id for c in failure.cases)
        return {element: len(ids) for element, ids in cases.items()}

    def can_retry(self, failure: Failure) -> bool:
        """A failed timer whose cases sit on a version deployed after they first failed."""
        return failure.kind == TIMER and self.version.deployed_at > failure.first_at


def for_version(session: Session, version: ProcessVersion) -> VersionFailures:
    labels = labels_of(version)
    failures = _timer_failures(session, version, labels) + _step_failures(session, version, labels)
    failures.sort(key=lambda f: f.last_at, reverse=True)
    latest = latest_version(session, version.process_id)
    return VersionFailures(version, failures, latest if latest.id != version.id else None)


def _timer_failures(session, version, labels) -> list[Failure]:
    instances = rows.failing_timers(session, version.id)
    ids = [i.id for i in instances]
    latest = rows.latest_timer_failures(session, ids)
    first = rows.first_timer_failures(session, ids)
    groups: dict[tuple[str, str], Failure] = {}
    for instance in instances:
        event = latest.get(instance.id)
        element = (event.detail.get("element") if event else None) or "timer"
        message = instance.timer_error or "A timer could not fire."
        began = first[instance.id].at if instance.id in first else instance.updated_at
        last = event.at if event else instance.updated_at
        group = groups.setdefault(
            (element, message),
            Failure(TIMER, element, labels.get(element, "A timer"), message, began, last),
        )
        group.first_at, group.last_at = min(group.first_at, began), max(group.last_at, last)
        group.cases.append(instance)
        group.stopped += instance.timer_failed_at is not None
    return list(groups.values())


def _step_failures(session, version, labels) -> list[Failure]:
    groups: dict[tuple[str, str], Failure] = {}
    for event, instance in rows.step_failures(session, version.process_id):
        if event.detail.get("version_id") != version.id:
            continue
        element = event.detail.get("element") or "step"
        message = event.detail.get("error") or "The step could not continue."
        group = groups.setdefault(
            (element, message),
            Failure(STEP, element, labels.get(element, element), message, event.at, event.at),
        )
        group.first_at = min(group.first_at, event.at)
        if instance not in group.cases:
            group.cases.append(instance)
    return list(groups.values())


def labels_of(version: ProcessVersion) -> dict[str, str]:
    """Element id → its name as the diagram shows it."""
    try:
        root = registry.safe_tree(version.bpmn_xml.encode("utf-8"))
    except InvalidDiagram:
        return {}
    return {
        node.get("id"): node.get("name") or node.get("id")
        for node in root.iter()
        if isinstance(node.tag, str) and node.tag.startswith(BPMN) and node.get("id")
    }


def retry_timers(
    session: Session, actor, version_id: int, element: str, now: datetime
) -> list[ProcessInstance]:
    """Try again, at once, the failed timers at `element` of the cases on this version.

    Only once a fix is deployed and the cases are on it: retrying on the version that
    failed would only fail again.
    """
    if not permissions.can_deploy(actor):
        raise NotAllowed("Only process owners can retry what their diagrams failed.")
    version = fetch(session, ProcessVersion, version_id, f"No diagram version {version_id}.")
    found = for_version(session, version)
    failure = next((f for f in found.failures if f.key == f"{TIMER}:{element}"), None)
    if failure is None:
        raise EngineError("No case on this version has a failed timer there any more.")
    if not found.can_retry(failure):
        raise EngineError(
            "These timers failed on this version. Deploy a fixed version, move the cases to "
            "it, then retry them there."
        )
    cases = [c for f in found.failures if f.key == failure.key for c in f.cases]
    with transaction(session):
        for instance in cases:
            timers.clear_failure(session, instance.id)
            audit.record(
                session, actor, "timers.retry", now, instance_id=instance.id, element=element
            )
    for instance in cases:
        session.expire(instance)
    return cases
