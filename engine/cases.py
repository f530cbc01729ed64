"""Case services: record a child, start a conference workflow for a child.

The data a diagram needs at its start (who the social worker and team manager are) is
gathered here once, so neither the web layer nor the diagram has to look people up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from .db import transaction
from .errors import EngineError, NotAllowed
from .models import audit
from .models.base import fetch
from .models.instances import ProcessInstance, instances_for_child
from .models.people import Child, User, next_child_reference, team_manager_for
from .permissions import can_start
from .runtime import Engine


def add_child(
    session: Session,
    engine: Engine,
    actor: User,
    given_name: str,
    family_name: str,
    date_of_birth: date | None,
    social_worker: User | None,
    expected_date_of_birth: date | None = None,
) -> Child:
    if not given_name.strip() or not family_name.strip():
        raise EngineError("Enter the child's given name and family name.")
    with transaction(session):
        child = Child(
            reference=next_child_reference(session),
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            expected_date_of_birth=expected_date_of_birth,
            social_worker_id=social_worker.id if social_worker else None,
            created_at=engine.clock.now(),
        )
        session.add(child)
        session.flush()
        audit.record(session, actor, "child.added", engine.clock.now(), child_id=child.id)
    return child


def start_conference(
    session: Session, engine: Engine, actor: User, child_id: int, process_id: str = "icpc"
) -> ProcessInstance:
    """Start a conference workflow for a child, on the latest deployed diagram."""
    if not can_start(actor):
        raise NotAllowed("Only social workers and managers can start a conference.")
    child = fetch(session, Child, child_id, "There is no such child.")
    running = [
        i for i in instances_for_child(session, child.id) if i.process_id == process_id and i.active
    ]
    if running:
        raise EngineError(
            f"{child.full_name} already has this workflow in progress: case {running[0].reference}."
        )
    worker = child.social_worker or (actor if actor.has_role("social_worker") else None)
    if worker is None:
        raise EngineError("Allocate a social worker to the child before starting a conference.")
    manager = team_manager_for(session, worker)
    data = {
        "child_id": child.id,
        "child_reference": child.reference,
        "social_worker": worker.username,
        "team_manager": manager.username if manager else None,
    }
    return engine.start(session, process_id, actor, data, child_id=child.id)
