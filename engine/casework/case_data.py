"""The data every conference workflow starts with, gathered once from the case."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models.people import Child, User, team_manager_name
from engine.platform.errors import EngineError

# The names `for_child` gives every workflow, and what each starting command adds (`cases`):
# the diagram name checks read these as the data a process starts with.
FACTS = (
    "child_id",
    "child_reference",
    "social_worker",
    "team_manager",
    "date_of_birth",
    "expected_date_of_birth",
)
STARTED_WITH = {"icpc": ("conference_type",), "end_plan": ("plan_id",)}
# A workflow another one's step starts (`start_process`) also has the plan it belongs to.
FOLLOW_ON = ("plan_id",)


def for_child(session: Session, child: Child, actor: User | None = None) -> dict:
    """Who works the case and the dates the diagrams need; usernames, never names."""
    worker = child.social_worker or (
        actor if actor is not None and actor.has_role("social_worker") else None
    )
    if worker is None:
        raise EngineError("Allocate a social worker to the child before starting a workflow.")
    return {
        "child_id": child.id,
        "child_reference": child.reference,
        "social_worker": worker.username,
        "team_manager": team_manager_name(session, worker),
        "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        "expected_date_of_birth": (
            child.expected_date_of_birth.isoformat() if child.expected_date_of_birth else None
        ),
    }
