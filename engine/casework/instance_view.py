"""One process instance as a manager sees it: its steps, history, data and diagram states.

The diagram is coloured from two sources: the workflow's own task states (completed,
active) and the task rows' due dates (a waiting step past its date is overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models.audit import AuditEvent, history
from engine.models.conferences import Conference, conference_for_instance
from engine.models.instances import READY, HumanTask, ProcessInstance, tasks_of
from engine.models.processes import ProcessVersion


@dataclass
class InstanceDetails:
    tasks: list[HumanTask]
    events: list[AuditEvent]
    data: list[tuple[str, str]] = field(default_factory=list)
    conference: Conference | None = None


def _shown(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 300 else text[:297] + "…"


def for_instance(session: Session, instance: ProcessInstance, data: dict) -> InstanceDetails:
    return InstanceDetails(
        tasks=tasks_of(session, instance.id),
        events=history(session, instance.id),
        data=[(k, _shown(v)) for k, v in sorted(data.items()) if not k.startswith("_")],
        conference=conference_for_instance(session, instance.id),
    )


def diagram_xml(session: Session, instance: ProcessInstance) -> str:
    query = select(ProcessVersion.bpmn_xml).where(ProcessVersion.id == instance.version_id)
    return session.scalar(query) or ""


def highlights(engine, session: Session, instance: ProcessInstance, today: date) -> dict:
    """Element id → completed | active | overdue | stopped, with a legend-ready count."""
    states = engine.element_states(session, instance)
    if not instance.active:
        states = {k: ("stopped" if v == "active" else v) for k, v in states.items()}
    else:
        for task in tasks_of(session, instance.id):
            if task.state == READY and task.due_on is not None and task.due_on < today:
                states[task.task_spec] = "overdue"
    counts: dict[str, int] = {}
    for state in states.values():
        counts[state] = counts.get(state, 0) + 1
    return {
        "instance": instance.reference,
        "status": instance.status,
        "elements": states,
        "counts": counts,
    }
