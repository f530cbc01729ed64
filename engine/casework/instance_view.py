"""One process instance as a manager sees it: its steps, history, data and diagram states.

The diagram is coloured from two sources: the workflow's own task states (completed,
active) and the task rows' due dates (a waiting step past its date is overdue).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import withheld_text
from engine.models.audit import AuditEvent, history
from engine.models.base import read_only_copy
from engine.models.conferences import Conference, conference_for_instance
from engine.models.instances import READY, HumanTask, ProcessInstance, tasks_of
from engine.models.processes import ProcessVersion


@dataclass
class InstanceDetails:
    tasks: list[HumanTask]
    events: list[AuditEvent]
    data: list[tuple[str, str]] = field(default_factory=list)
    conference: Conference | None = None


def _shown(value, withheld: list[str]) -> str:
    """One variable as text, with the text withheld from the reader taken out of every string
    in it first: a list or dictionary is shown as Python writes it (its line breaks as
    "\\n", which a passage broken over two lines would no longer match), and a long value
    is cut short, which could leave the start of a withheld address that no longer matches."""
    value = withheld_text.redact_all(value, withheld)
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 300 else text[:297] + "…"


def for_instance(
    session: Session, instance: ProcessInstance, data: dict, withheld: list[str]
) -> InstanceDetails:
    """The instance as one reader sees it; `withheld` is the text withheld from them in its
    child's record (`withholding.values_hidden_from`), taken out of the workflow's data."""
    return InstanceDetails(
        tasks=tasks_of(session, instance.id),
        events=events_for(session, instance.id, withheld),
        data=[(k, _shown(v, withheld)) for k, v in sorted(data.items()) if not k.startswith("_")],
        conference=conference_for_instance(session, instance.id),
    )


def events_for(session: Session, instance_id: int, withheld: list[str]) -> list:
    """The instance's history as one reader may read it: each event's detail (a correction's
    old and new words, a reason) with the text withheld from them taken out, as copies (an
    audit row is never changed)."""
    events = history(session, instance_id)
    if not withheld:
        return events
    return [read_only_copy(e, detail=withheld_text.redact_all(e.detail, withheld)) for e in events]


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
