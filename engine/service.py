"""The composition root: the workflow engine as the council runs it.

The core (`engine.workflow.runtime.Engine`) knows no casework. Here it is given the diagram
registry's parsed specs, the language casework offers diagrams (records, reminders,
documents) and the hooks by which a step tells people of their tasks and hands a follow-on
workflow the case's facts. Everything that runs cases (the web app, the scheduler, the demo,
the benches) builds its engine here.
"""

from __future__ import annotations

from engine.casework import case_data, vocabulary
from engine.diagrams.registry import SpecCache
from engine.messaging import notifications
from engine.platform import clock as clocks
from engine.workflow import runtime, workflow_cache
from engine.workflow.hooks import Hooks

HOOKS = Hooks(
    case_data=case_data.for_child,
    tasks_created=notifications.tasks_created,
    task_assigned=notifications.task_assigned,
    timers_stopped=notifications.timers_stopped,
)


class Engine(runtime.Engine):
    """The council's engine: the core with casework's language and hooks."""

    def __init__(
        self,
        clock: clocks.Clock | None = None,
        specs: SpecCache | None = None,
        cache_size: int = workflow_cache.SIZE,
    ):
        super().__init__(
            specs=specs or SpecCache(),
            clock=clock,
            language=vocabulary.LANGUAGE,
            hooks=HOOKS,
            cache_size=cache_size,
        )
