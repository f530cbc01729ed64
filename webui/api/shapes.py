"""What each resource looks like in JSON: one function per resource, dates as ISO 8601."""

from __future__ import annotations

from datetime import date, datetime

from engine.casework.case_summary import CaseSummary
from engine.models.audit import AuditEvent
from engine.models.conferences import Conference
from engine.models.instances import HumanTask, ProcessInstance
from engine.models.people import Child, User
from engine.models.plans import Plan
from engine.models.processes import ProcessVersion
from engine.models.timers import Timer
from forms import FormDefinition
from forms.definitions import Field


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user(person: User | None) -> str | None:
    return person.username if person is not None else None


def version(row: ProcessVersion) -> dict:
    return {
        "id": row.id,
        "process_id": row.process_id,
        "name": row.name,
        "content_hash": row.content_hash,
        "deployed_at": iso(row.deployed_at),
        "deployed_by": row.deployed_by,
    }


def task(row: HumanTask) -> dict:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "case_reference": row.instance.reference,
        "task": row.task_spec,
        "title": row.title,
        "role": row.role,
        "assignee": user(row.assignee),
        "due_on": iso(row.due_on),
        "state": row.state,
        "form": row.form_key,
        "created_at": iso(row.created_at),
        "completed_at": iso(row.completed_at),
        "completed_by": user(row.completed_by),
    }


def instance(row: ProcessInstance, ready: list[HumanTask] | None = None) -> dict:
    shape = {
        "id": row.id,
        "reference": row.reference,
        "process_id": row.process_id,
        "version_id": row.version_id,
        "status": row.status,
        "child_id": row.child_id,
        "started_at": iso(row.started_at),
        "ended_at": iso(row.ended_at),
        "next_timer_at": iso(row.next_timer_at),
    }
    if ready is not None:
        shape["ready_tasks"] = [task(t) for t in ready]
    return shape


def timer(row: Timer) -> dict:
    return {
        "name": row.name,
        "element": row.element,
        "due_at": iso(row.due_at),
        "status": row.status,
        "fired_at": iso(row.fired_at),
    }


def event(row: AuditEvent) -> dict:
    return {
        "at": iso(row.at),
        "actor": row.actor_name,
        "action": row.action,
        "task_id": row.task_id,
        "detail": row.detail or {},
    }


def child(row: Child) -> dict:
    return {
        "id": row.id,
        "reference": row.reference,
        "given_name": row.given_name,
        "family_name": row.family_name,
        "date_of_birth": iso(row.date_of_birth),
        "expected_date_of_birth": iso(row.expected_date_of_birth),
        "social_worker": user(row.social_worker),
    }


def conference(row: Conference) -> dict:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "plan_id": row.plan_id,
        "kind": row.kind,
        "review_number": row.review_number,
        "due_on": iso(row.due_on),
        "scheduled_on": iso(row.scheduled_on),
        "scheduled_time": row.scheduled_time,
        "venue": row.venue,
        "chair": user(row.chair),
        "held_on": iso(row.held_on),
        "held_late": row.held_late,
        "quorate": row.quorate,
        "decision": row.decision,
        "category": row.category,
    }


def plan(row: Plan, summary: CaseSummary) -> dict:
    return {
        "id": row.id,
        "started_on": iso(row.started_on),
        "ended_on": iso(row.ended_on),
        "initial_category": row.initial_category,
        "latest_category": row.latest_category,
        "end_reason": row.end_reason,
        "previous_plans": row.previous_plans,
        "actions": [
            {"what": a.what, "who": a.who, "by_when": iso(a.by_when), "status": a.status}
            for a in summary.actions.get(row.id, [])
        ],
        "core_group_meetings": [
            {"sequence": m.sequence, "due_on": iso(m.due_on), "held_on": iso(m.held_on)}
            for m in summary.meetings.get(row.id, [])
        ],
    }


def summary(found: Child, case: CaseSummary, instances, tasks, full: bool) -> dict:
    """The case page as data; an agency professional (not `full`) sees the conferences only."""
    shape = {
        "child": child(found),
        "access": "full" if full else "invited",
        "conferences": [conference(c) for c in case.conferences],
    }
    if full:
        shape |= {
            "plans": [plan(p, case) for p in case.plans],
            "people": [
                {"kind": p.kind, "name": p.name, "relationship_or_agency": p.relationship_or_agency}
                for p in case.people
            ],
            "late_steps": [
                {
                    "step": s.step,
                    "due_on": iso(s.due_on),
                    "done_on": iso(s.done_on),
                    "reason": s.reason,
                    "explanation": s.explanation,
                }
                for s in case.late_steps
            ],
            "instances": [
                {**instance(i), "tasks": [task(t) for t in tasks.get(i.id, [])]} for i in instances
            ],
        }
    return shape


def form_field(field: Field) -> dict:
    shape = {"name": field.name, "type": field.type, "label": field.label}
    shape["required"] = field.required or bool(field.required_if)
    if field.options:
        shape["options"] = [o.get("value") for o in field.options]
    if field.options_from:
        shape["options_from"] = field.options_from
    if field.item_fields:
        shape["item_fields"] = [form_field(f) for f in field.item_fields]
    return shape


def form(definition: FormDefinition | None) -> dict | None:
    if definition is None:
        return None
    return {
        "key": definition.key,
        "title": definition.title,
        "fields": [form_field(f) for f in definition.fields],
    }
