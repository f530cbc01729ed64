"""Why a step failed, in words for whoever can fix it: the person, or the process owner.

A step that fails saves nothing. Values a record function could not store are the person's
to fix and surface field by field; anything else (a script that raises, a value JSON cannot
hold, a repeated step too deep to follow) is the diagram's, and says so.
"""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.models import audit
from engine.models.diagram_failures import STEP_FAILED
from engine.models.task_rows import task_with_instance
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidValue, StepFailed
from engine.workflow import serialization, task_scan


def explain(exc: SpiffWorkflowException) -> EngineError:
    """The engine's error for what SpiffWorkflow raised while running a step."""
    cause, seen = exc, set()
    while cause is not None and id(cause) not in seen:  # SpiffWorkflow wraps at each level
        if isinstance(cause, InvalidValue):
            return InvalidValue(cause.fields)
        seen.add(id(cause))
        cause = getattr(cause, "exception", None) or cause.__cause__ or cause.__context__
    return StepFailed(f"The process could not continue: {exc}")


def element_of(exc: BaseException) -> str | None:
    """The diagram element whose code raised, from SpiffWorkflow's error under ours."""
    cause, seen = exc, set()
    while cause is not None and id(cause) not in seen:
        spec = getattr(cause, "task_spec", None)
        if spec is not None:
            return getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
        seen.add(id(cause))
        cause = getattr(cause, "exception", None) or cause.__cause__ or cause.__context__
    return None


def record(session, task_id: str, actor, exc: StepFailed, now) -> None:
    """Keep a diagram's failed step for its process owner (`step.failed` in the audit trail).

    The step's own transaction has rolled back, so this is written in one of its own: the
    version the case was on, the element at fault and the message the person saw.
    """
    row = task_with_instance(session, task_id)
    if row is None:
        return
    with transaction(session):
        audit.record(
            session,
            actor,
            STEP_FAILED,
            now,
            instance_id=row.instance_id,
            task_id=row.id,
            child_id=row.child_id,
            version_id=row.instance.version_id,
            element=element_of(exc) or row.task_spec,
            error=str(exc)[:500],
        )


def check_depth(workflow: BpmnWorkflow) -> None:
    """Refuse to save a workflow whose repeated steps nest too deep to follow safely."""
    if task_scan.too_deep(workflow):
        raise StepFailed(
            "This case's workflow has repeated a step so many times that the engine could "
            "no longer follow it safely, so nothing was saved. Ask the process owner to "
            "move the repeated part into a process of its own."
        )


def dumps(workflow: BpmnWorkflow) -> str:
    """The state to store; a value a script left that JSON cannot hold fails the step,
    saying which value and where."""
    try:
        return serialization.dumps(workflow)
    except (TypeError, ValueError) as exc:
        where = _unsavable(workflow) or str(exc)
        raise StepFailed(
            f"The process could not continue: {where}. Nothing was saved. Ask the process "
            "owner to change the diagram's script."
        ) from exc


def _unsavable(workflow: BpmnWorkflow) -> str | None:
    """Which value the workflow holds that its JSON cannot (a diagram's script left a
    generator, bytes or a range in the data), said for the process owner who must change
    the script; None when every value can be written. Looked for only once a save failed."""
    encoder = serialization.serializer()._encoder_cls
    holders = [("the process", workflow.data)] + [
        (task.task_spec.bpmn_name or task.task_spec.name, task.data)
        for task in workflow.get_tasks_iterator()
    ]
    for where, data in holders:
        for name, value in data.items():
            try:
                json.dumps(value, cls=encoder)
            except (TypeError, ValueError):
                kind = type(value).__name__
                return f"“{name}” in “{where}” holds a value of type {kind}, which cannot be saved"
    return None
