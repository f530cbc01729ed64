"""Case services: record a child, start a conference workflow for a child.

The data a diagram needs at its start (who the social worker and team manager are) is
gathered here once, so neither the web layer nor the diagram has to look people up.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access import access
from engine.casework import case_data
from engine.models import audit, catalogue
from engine.models.conferences import ICPC, PRE_BIRTH, TRANSFER_IN, CasePerson
from engine.models.instances import (
    RUNNING,
    SUSPENDED,
    ProcessInstance,
    instances_for_child,
    is_second_running,
)
from engine.models.people import Child, User, next_child_reference
from engine.models.plans import OPEN_PLAN_ID
from engine.platform.db import transaction
from engine.platform.errors import ConcurrentUpdate, EngineError, NotAllowed
from engine.workflow.permissions import can_start
from engine.workflow.runtime import Engine


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
    if (date_of_birth is None) == (expected_date_of_birth is None):
        raise EngineError(
            "Enter either the date of birth or, for an unborn child, the expected date of birth."
        )
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


CONFERENCE_TYPES = {
    ICPC: "Initial child protection conference",
    PRE_BIRTH: "Pre-birth conference",
    TRANSFER_IN: "Transfer-in conference",
}


def start_conference(
    session: Session,
    engine: Engine,
    actor: User,
    child_id: int,
    conference_type: str = ICPC,
    opened: list | None = None,
) -> ProcessInstance:
    """Start an initial, pre-birth or transfer-in conference for a child not on a plan;
    `opened` as `Engine.start`'s."""
    if not isinstance(conference_type, str) or conference_type not in CONFERENCE_TYPES:
        raise EngineError("Choose the type of conference.")
    child, plan_id = _startable(session, actor, child_id, "icpc")
    if plan_id is not None:
        raise EngineError(
            f"{child.full_name} is already on a child protection plan: "
            "the plan's review conferences follow it."
        )
    if conference_type == PRE_BIRTH and child.expected_date_of_birth is None:
        raise EngineError("A pre-birth conference needs the expected date of birth.")
    data = case_data.for_child(session, child, actor)
    data["conference_type"] = conference_type
    return _start(session, engine, actor, child, "icpc", data, opened)


def start_plan_ending(
    session: Session, engine: Engine, actor: User, child_id: int, opened: list | None = None
) -> ProcessInstance:
    """End a plan without a conference (the child died, left the UK or moved away)."""
    child, plan_id = _startable(session, actor, child_id, "end_plan")
    if plan_id is None:
        raise EngineError(f"{child.full_name} is not on a child protection plan.")
    data = case_data.for_child(session, child, actor)
    data["plan_id"] = plan_id
    return _start(session, engine, actor, child, "end_plan", data, opened)


def start_from_child_page(
    session: Session,
    engine: Engine,
    actor: User,
    child_id: int,
    process_id: str,
    opened: list | None = None,
) -> ProcessInstance:
    """Start a process a process owner made to be started from a child's page (a children's
    meeting, say), with the case's data, as the conference and the plan ending are."""
    child, plan_id = _startable(session, actor, child_id, process_id)
    if process_id not in catalogue.child_page_processes(session):
        if catalogue.is_retired(session, process_id):
            raise EngineError(
                f"“{process_id}” is retired, so it cannot be started from a child's page."
            )
        raise EngineError(f"“{process_id}” cannot be started from a child's page.")
    data = case_data.for_child(session, child, actor)
    if plan_id is not None:
        data["plan_id"] = plan_id
    return _start(session, engine, actor, child, process_id, data, opened)


# The shipped processes a person starts for a child: the rest start from other diagrams.
STARTED_FOR_A_CHILD = ("icpc", "end_plan")


def how_started(session: Session, process_ids: list[str]) -> dict[str, str]:
    """How each process starts, for the API's list: "child" (POST /instances starts it for a
    child), "diagram" (only another diagram's step starts it) or "retired"."""
    from_page = set(catalogue.child_page_processes(session))
    made = catalogue.entries(session)
    answers = {}
    for process_id in process_ids:
        entry = made.get(process_id)
        if entry is not None and entry.retired:
            answers[process_id] = "retired"
        elif process_id in STARTED_FOR_A_CHILD or process_id in from_page:
            answers[process_id] = "child"
        else:
            answers[process_id] = "diagram"
    return answers


def _start(session, engine: Engine, actor: User, child: Child, process_id: str, data: dict, opened):
    """Start the workflow; if someone started it for the same child at the same moment, the
    database refuses the second (`ONE_RUNNING_PER_CHILD`) and this one is told so."""
    try:
        return engine.start(session, process_id, actor, data, child_id=child.id, opened=opened)
    except IntegrityError as exc:
        if not is_second_running(exc):
            raise
        raise ConcurrentUpdate(_already_running(session, child, process_id)) from None


PERSON_KINDS = {"family": "Family member or carer", "professional": "Professional"}


def add_person(
    session: Session,
    actor: User,
    child_id: int,
    details: dict,
    now,
) -> CasePerson:
    """Someone involved with the child, entered once and reused by every later step."""
    child, level = access.require_child(session, actor, child_id)
    if level is not access.Level.FULL or not can_start(actor):
        raise NotAllowed("Only the child's social worker or their managers can add people.")
    if details.get("kind") not in PERSON_KINDS or not (details.get("name") or "").strip():
        raise EngineError("Enter the person's name and whether they are family or a professional.")
    with transaction(session):
        person = CasePerson(
            child_id=child.id,
            kind=details["kind"],
            name=details["name"].strip(),
            relationship_or_agency=(details.get("relationship_or_agency") or "").strip(),
            email=details.get("email") or None,
            phone=details.get("phone") or None,
            address=details.get("address") or None,
        )
        session.add(person)
        session.flush()
        audit.record(session, actor, "person.added", now, child_id=child.id, person=person.id)
    return person


def _startable(
    session: Session, actor: User, child_id: int, process_id: str
) -> tuple[Child, int | None]:
    """The child, if the actor may start `process_id` for it now, and its open plan's id.

    Access, whether the process already runs for the child and its open plan are one
    statement (`access.child_and_level`): the running instance and the plan are read before
    access is decided, but nothing of them is told unless the actor has full access.
    """
    if not can_start(actor):
        raise NotAllowed("Only social workers and managers can start a workflow for a child.")
    child, level, (running_id, plan_id) = access.child_and_level(
        session, actor, child_id, (_RUNNING_ID, OPEN_PLAN_ID), process_id=process_id
    )
    if level is not access.Level.FULL:
        raise NotAllowed("You cannot start a workflow for this child.")
    if running_id is not None:
        running = session.get(ProcessInstance, running_id)
        raise EngineError(
            f"{child.full_name} already has this workflow in progress: case {running.reference}."
        )
    return child, plan_id


# The newest of the child's (bound `child_id`) instances of the bound `process_id` still
# active (running or suspended): `_running`'s first, read in SQL, built once.
_RUNNING_ID = (
    select(ProcessInstance.id)
    .where(
        ProcessInstance.child_id == bindparam("child_id"),
        ProcessInstance.process_id == bindparam("process_id"),
        ProcessInstance.status.in_((RUNNING, SUSPENDED)),
    )
    .order_by(ProcessInstance.id.desc())
    .limit(1)
    .scalar_subquery()
)


def _running(session: Session, child: Child, process_id: str) -> list[ProcessInstance]:
    return [
        i for i in instances_for_child(session, child.id) if i.process_id == process_id and i.active
    ]


def _already_running(session: Session, child: Child, process_id: str) -> str:
    running = _running(session, child, process_id)
    case = f": case {running[0].reference}" if running else ""
    return (
        f"{child.full_name} already has this workflow in progress{case}. Someone started it "
        "at the same moment as you, so yours was not started."
    )
