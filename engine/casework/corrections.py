"""A team manager's correction of what a held conference recorded.

Once the chair's step is done its answers cannot be edited there. A team manager (or a
service manager) can correct the conference's recorded words: the findings, the views, the
safety plan, the reasons, the plan's aims and any dissent. A reason is required; the old and
new value of every field changed are kept in the audit trail, and the documents read the
corrected record from then on. Dates and the decision itself are not corrected here: the
diagram worked out the plan, reviews and timers from them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import Conference
from engine.models.people import User
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue, NotAllowed

CORRECTABLE = {
    "harm": "Harm and danger",
    "strengths": "Strengths",
    "safety": "Safety and protective factors",
    "complicating_factors": "Complicating factors",
    "grey_areas": "Grey areas",
    "child_views": "The child's views",
    "parent_views": "The parents' or carers' views",
    "safety_plan": "Safety plan",
    "decision_reasons": "Reasons for the decision",
    "plan_outcomes": "What the plan must achieve",
    "dissent": "Dissent",
}
OPTIONAL = frozenset({"complicating_factors", "grey_areas", "plan_outcomes", "dissent"})
MAY_CORRECT = ("team_manager", "service_manager")


def may_correct(user: User, conference: Conference) -> bool:
    held = conference.held_on is not None
    return held and any(user.has_role(r) for r in MAY_CORRECT)


def correct(
    session: Session,
    actor: User,
    conference_id: int,
    answers: dict,
    reason: str,
    now: datetime,
) -> dict[str, dict]:
    """Change the fields whose answers differ; the changes made, field by field."""
    conference = fetch(session, Conference, conference_id, "There is no such conference.")
    if not may_correct(actor, conference):
        raise NotAllowed("Only a team manager can correct a held conference's record.")
    if not (reason or "").strip():
        raise InvalidValue({"reason": "Enter why the record is corrected"})
    changes = {}
    for name in CORRECTABLE:
        if name not in answers:
            continue
        new = (answers[name] or "").strip() or None
        old = getattr(conference, name)
        if new is None and old is not None and name not in OPTIONAL:
            label = CORRECTABLE[name]
            raise InvalidValue({name: f"Enter {label[:1].lower()}{label[1:]}"})
        if new != old:
            changes[name] = {"old": old, "new": new}
    if not changes:
        raise InvalidValue({"reason": "Nothing was changed: correct at least one answer"})
    with transaction(session):
        for name, change in changes.items():
            setattr(conference, name, change["new"])
        audit.record(
            session,
            actor,
            "conference.corrected",
            now,
            instance_id=conference.instance_id,
            child_id=conference.child_id,
            conference_id=conference.id,
            changes=changes,
            reason=reason.strip(),
        )
    return changes
