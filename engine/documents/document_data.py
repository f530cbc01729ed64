"""What goes into a conference document, gathered from the case's rows in one place.

Every document (agenda, invitation letters, decision letter, minutes, plan) is rendered from
the plain dictionary `gather` returns, never from the rows themselves. So anything that must
not reach a reader (information withheld from them) is removed from this one dictionary
before any template sees it, and a test can check the dictionary and the rendered text alike.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.documents import conference_reads
from engine.models.base import fetch
from engine.models.conferences import (
    AGENCIES,
    ATTENDANCE,
    CATEGORIES,
    Conference,
    agency_label,
    invitations_for,
    reports_for,
    requests_for,
)
from engine.models.documents import files_for
from engine.models.families import group_children
from engine.models.people import Child, User
from engine.models.plans import CoreGroupMeeting, Plan, actions_for
from engine.models.withholding import request_named, shares_for
from engine.platform import settings, workdays
from engine.platform.errors import NotFound

AGENDA, INVITATION, DECISION_LETTER, MINUTES, PLAN = (
    "agenda",
    "invitation",
    "decision_letter",
    "minutes",
    "plan",
)
TITLES = {
    AGENDA: "Agenda",
    INVITATION: "Invitation letters",
    DECISION_LETTER: "Decision letter and outline plan",
    MINUTES: "Minutes",
    PLAN: "Child protection plan",
}
DECISIONS = {
    "cp_plan": "The child will be the subject of a child protection plan",
    "cin_plan": "The child will be supported under a child in need plan",
    "nfa": "No further action under child protection procedures",
    "continue": "The child protection plan continues",
    "end_cin": "The child protection plan ends: the child steps down to a child in need plan",
    "end_nfa": "The child protection plan ends with no further action",
}
PLAN_DECISIONS = frozenset({"cp_plan", "continue"})
REPORT_KINDS = {
    "social_worker": "Social worker's report",
    "agency": "Agency report",
    "gp": "GP report",
    "parent": "Parents' report",
    "child": "The child's views",
}
ROLES = {"parent": "Parent or carer", "child": "Child", "advocate": "Advocate"}
ACTION_STATUSES = {"open": "Not done yet", "done": "Done", "dropped": "No longer needed"}
MAP_HEADINGS = (
    ("harm", "Harm and danger"),
    ("strengths", "Strengths"),
    ("safety", "Safety and protective factors"),
    ("complicating_factors", "Complicating factors"),
    ("grey_areas", "Grey areas"),
)


def available(conference: Conference, has_invitations: bool) -> list[str]:
    """The documents a conference can produce at its current stage, in the order they come."""
    kinds = []
    if conference.scheduled_on is not None:
        kinds.append(AGENDA)
    if has_invitations:
        kinds.append(INVITATION)
    if conference.held_on is not None:
        kinds += [DECISION_LETTER, MINUTES]
        if conference.decision in PLAN_DECISIONS and conference.plan_id is not None:
            kinds.append(PLAN)
    return kinds


def gather(session: Session, conference_id: int, kind: str, today: date) -> dict:
    """Everything one document shows, as plain data; NotFound for a document not yet due."""
    conference = fetch(session, Conference, conference_id, "There is no such conference.")
    return compose(session, conference, invitations(session, conference.id), kind, today)


def invitations(session: Session, conference_id: int) -> list:
    """The conference's invitations, read once while none of them changes
    (`conference_reads`): a step sending two documents reads them for the first only."""
    key = ("invitations", conference_id)
    return conference_reads.remembered(
        session, key, lambda: invitations_for(session, conference_id)
    )


def compose(
    session: Session, conference: Conference, invitations: list, kind: str, today: date
) -> dict:
    """`gather` from the conference's invitations already read (a step sending the document
    reads them once for the document and its recipients)."""
    if kind not in TITLES or kind not in available(conference, bool(invitations)):
        raise NotFound(f"There is no {kind.replace('_', ' ')} for this conference yet.")
    child = session.get(Child, conference.child_id)
    plan = session.get(Plan, conference.plan_id) if conference.plan_id else None
    remember = conference_reads.remembered
    reports = remember(
        session, ("reports", conference.id), lambda: _reports(session, conference.id)
    )
    sent = {r["person_id"] for r in reports if r["person_id"] and r["submitted_on"]}
    requests = remember(  # read once: exclusions and decisions
        session, ("requests", conference.id), lambda: requests_for(session, conference.id)
    )
    return {
        "kind": kind,
        "title": TITLES[kind],
        "generated_on": today,
        "council": _council(),
        "child": {
            "name": child.full_name,
            "reference": child.reference,
            "date_of_birth": child.date_of_birth,
            "first_name": child.given_name,
            "age": _age(child.date_of_birth, today),
            "expected_date_of_birth": child.expected_date_of_birth,
        },
        "conference": _conference(session, conference),
        "invitations": [
            {
                "person_id": i.person.id,
                "name": i.person.name,
                "address": i.person.address,
                "role": ROLES.get(i.role, agency_label(i.person.relationship_or_agency))
                or "Professional",
                "relationship": agency_label(i.person.relationship_or_agency),
                "family": i.role in ("parent", "child"),
                "is_child": i.role == "child",
                "communication_needs": i.person.communication_needs,
                "invited_on": i.invited_on,
                "attended": i.attended,
                "attendance": ATTENDANCE.get(i.attendance) if i.attendance else None,
                "apologies": i.attendance == "apologies",
                "report_sent": (i.person_id in sent) if i.role == "professional" else None,
                "core_group": bool(i.core_group),
            }
            for i in invitations
        ],
        "reports": reports,
        "plan": _plan(session, plan, conference) if plan else None,
        "exclusions": _exclusions(requests),
        "decisions": _decisions(requests),
    }


def _age(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _reports_by(row: Conference) -> date | None:
    """When the family will have the reports: the council's days before the conference."""
    if row.scheduled_on is None:
        return None
    name = (
        "report_working_days_before_review"
        if row.kind == "rcpc"
        else ("report_working_days_before_icpc")
    )
    return workdays.add_working_days(row.scheduled_on, -int(settings.get(name)))


def _council() -> dict:
    return {
        "name": settings.get("council_name"),
        "logo": settings.get("council_logo"),
        "phone": settings.get("council_phone"),
        "chair_phone": settings.get("conference_chair_phone"),
        "complaints": settings.get("complaints_route"),
    }


def _conference(session: Session, row: Conference) -> dict:
    chair = session.get(User, row.chair_id) if row.chair_id else None
    return {
        "id": row.id,
        # A family conference's other children, by name: each child's papers stay their own.
        "family": [
            c.full_name for c in group_children(session, row.group_id) if c.id != row.child_id
        ],
        "kind": row.kind,
        "label": row.kind_label + (f" {row.review_number}" if row.review_number else ""),
        "is_review": row.kind == "rcpc",
        "due_on": row.due_on,
        "scheduled_on": row.scheduled_on,
        "scheduled_time": row.scheduled_time,
        "venue": row.venue,
        "chair": chair.display_name if chair else None,
        "reports_by": _reports_by(row),
        "held_on": row.held_on,
        "quorate": row.quorate,
        "quorum_reason": row.quorum_reason,
        "agencies_attended": [
            AGENCIES.get(code, code) for code in (row.agencies_attended or "").split(", ") if code
        ],
        "map": [
            {"key": key, "heading": heading, "text": getattr(row, key)}
            for key, heading in MAP_HEADINGS
        ],
        "child_views": row.child_views,
        "parent_views": row.parent_views,
        "safety_plan": row.safety_plan,
        "decision": row.decision,
        "decision_text": DECISIONS.get(row.decision or "", row.decision),
        "category": row.category,
        "category_label": CATEGORIES.get(row.category or "", row.category),
        "dissent": row.dissent,
        "decision_reasons": row.decision_reasons,
        "plan_outcomes": row.plan_outcomes,
        "letter_sent_on": row.letter_sent_on,
        "minutes_sent_on": row.minutes_sent_on,
    }


def _reports(session: Session, conference_id: int) -> list[dict]:
    reports = reports_for(session, conference_id)
    files = files_for(session, [r.id for r in reports])
    shares = shares_for(session, [r.id for r in reports])
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "label": REPORT_KINDS.get(r.kind, r.kind),
            "agency": agency_label(r.agency) or None,
            "author": r.author,
            "person_id": r.person_id,
            "due_on": r.due_on,
            "submitted_on": r.submitted_on,
            "shared_with_parents_on": r.shared_with_parents_on,
            "shared_with": [
                {"person_id": s.person_id, "name": s.person.name, "on": s.shared_on}
                for s in shares[r.id]
            ],
            "summary": r.summary,
            "files": [{"id": f.id, "filename": f.filename} for f in files[r.id]],
        }
        for r in reports
    ]


def _exclusions(requests: list) -> list[dict]:
    """Who the chair agreed to exclude, and from which part of the meeting: written on that
    person's invitation, on the agenda and in the minutes."""
    return [
        {"person_id": r.person_id, "name": r.person.name, "excluded_from": r.excluded_from}
        for r in requests
        if r.kind == "exclude" and r.decision == "agreed" and r.person is not None
    ]


def _decisions(requests: list) -> list[dict]:
    """Every request the chair decided, named by what it does (never the raiser's free text,
    which may quote what is withheld), with the chair's reason: for the staff's copies only
    (`document_redaction` leaves them out of a family member's)."""
    return [
        {"what": request_named(r), "decision": r.decision.capitalize(), "reason": r.reason}
        for r in requests
        if r.decision is not None
    ]


def _plan(session: Session, plan: Plan, conference: Conference) -> dict:
    lead = session.get(User, plan.lead_social_worker_id) if plan.lead_social_worker_id else None
    actions = actions_for(session, plan.id)
    this_conference = [a for a in actions if a.conference_id == conference.id]
    return {
        "started_on": plan.started_on,
        "ended_on": plan.ended_on,
        "category_label": CATEGORIES.get(plan.latest_category, plan.latest_category),
        "lead_social_worker": lead.display_name if lead else None,
        "previous_plans": plan.previous_plans,
        "actions": [
            {
                "what": a.what,
                "who": a.who,
                "by_when": a.by_when,
                "status": a.status,
                "status_label": ACTION_STATUSES.get(a.status, a.status),
                "progress": a.progress,
            }
            for a in (this_conference or [a for a in actions if a.status == "open"])
        ],
        "next_review_due": _next_review_due(session, plan.id, conference.id),
        "next_core_group_due": _next_core_group_due(session, plan.id),
    }


def _next_review_due(session: Session, plan_id: int, after_conference_id: int) -> date | None:
    query = select(Conference.due_on).where(
        Conference.plan_id == plan_id,
        Conference.kind == "rcpc",
        Conference.held_on.is_(None),
        Conference.id != after_conference_id,
    )
    return session.scalar(query.order_by(Conference.due_on).limit(1))


def _next_core_group_due(session: Session, plan_id: int) -> date | None:
    query = select(CoreGroupMeeting.due_on).where(
        CoreGroupMeeting.plan_id == plan_id, CoreGroupMeeting.held_on.is_(None)
    )
    return session.scalar(query.order_by(CoreGroupMeeting.due_on).limit(1))
