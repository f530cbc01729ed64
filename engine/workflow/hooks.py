"""What the workflow core is given by the layers above it when the engine is built.

The core runs steps, saves state and keeps task rows; telling people of their tasks
(messaging) and the case facts a follow-on workflow starts with (casework) belong to layers
that import the core, so the core cannot import them. `engine.service` fills these in; a
bare core (a test of the runtime alone) runs with the defaults, which do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from engine.models.instances import HumanTask, ProcessInstance
from engine.models.people import Child, User


def _no_case_data(_session: Session, _child: Child | None) -> dict:
    return {}


def _tell_no_one(*_args) -> None:
    return None


@dataclass(frozen=True)
class Hooks:
    # The case facts (child, worker, dates) a workflow started by a step begins with.
    case_data: Callable[[Session, Child | None], dict] = _no_case_data
    # New task rows a step created, for their holders to be told (in the step's transaction).
    tasks_created: Callable[
        [Session, ProcessInstance, list[HumanTask], User | None, datetime], None
    ] = _tell_no_one
    # A task handed to a named person by someone else (same transaction as the hand-over).
    task_assigned: Callable[[Session, HumanTask, User, User, datetime], None] = _tell_no_one
    # An instance whose timers stopped after their last retry (`timers.record_failure`), for
    # those who may retry them to be told: its reminders and escalations wait until then.
    timers_stopped: Callable[[Session, int, datetime], None] = _tell_no_one


class ParsedDiagram(Protocol):
    spec: object
    subprocess_specs: dict


class SpecSource(Protocol):
    """Where the runtime gets a deployed version's parsed spec (`engine.diagrams.registry`)."""

    def get(self, session: Session, version_id: int) -> ParsedDiagram: ...


NO_HOOKS = Hooks()
