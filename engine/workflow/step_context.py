"""What a diagram step may touch beyond its own state, bound while the engine runs it.

Scripts in a diagram call the product's record and notification functions; those functions
find the session, the instance, the clock and the person acting here. Everything they write
joins the step's own transaction, so a step and its records commit or roll back together.
Work that must happen after the step (starting the next instance, ending the plan's other
instances, addressing the tasks it created, completing a step shared with another instance)
is queued here and carried out by the runtime before the commit.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models.instances import HumanTask, ProcessInstance, open_tasks
from engine.models.people import User
from engine.platform.errors import EngineError


@dataclass
class StepContext:
    session: Session
    instance: ProcessInstance
    now: datetime
    actor: User | None = None
    data: dict = field(default_factory=dict)
    followups: list[tuple[str, dict]] = field(default_factory=list)
    to_end: dict[int, str] = field(default_factory=dict)
    started: list = field(default_factory=list)
    open_rows: list[HumanTask] | None = None
    waiting_for_rows: list[Callable[[list[HumanTask]], None]] = field(default_factory=list)
    shared: list = field(default_factory=list)  # `shared_steps.SharedStep`s to complete too
    # The `SharedStep` this step is, when done from another instance's: the step it came
    # from shares with every instance itself, so this one shares nothing again.
    sharing: object = None

    def open_tasks(self) -> list[HumanTask]:
        """The instance's task rows open before this step, read once per step."""
        if self.open_rows is None:
            self.open_rows = open_tasks(self.session, self.instance.id)
        return self.open_rows

    def once_saved(self, work: Callable[[list[HumanTask]], None]) -> None:
        """Give `work` the instance's task rows open once the step is saved.

        A step's tasks get their rows only when it is saved, after it ran: a timer that
        fires inside the step (already due when its task started) must wait for them to
        address the task the step created.
        """
        self.waiting_for_rows.append(work)

    def complete_too(self, step) -> None:
        """Complete another instance's step once this step is done, in its transaction: one
        done once for several (`shared_steps`). A step itself done from another's shares
        nothing again."""
        if self.sharing is None:
            self.shared.append(step)

    def saved(self, rows: list[HumanTask]) -> None:
        """The runtime saved the step and these rows are open: do the work that waited."""
        waiting, self.waiting_for_rows = self.waiting_for_rows, []
        for work in waiting:
            work(rows)


_current: contextvars.ContextVar[StepContext | None] = contextvars.ContextVar(
    "step_context", default=None
)


def active() -> StepContext | None:
    return _current.get()


def current() -> StepContext:
    context = _current.get()
    if context is None:
        raise EngineError("This function can only run inside a workflow step.")
    return context


@contextlib.contextmanager
def bound(context: StepContext) -> Iterator[StepContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
