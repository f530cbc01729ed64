"""What follows when a running workflow's data is changed from outside (a conference moved
to another date): the values the diagram works out from it, the due dates of the open steps
and the timers that read it.

A diagram names what it works out from a value with a `recompute` property on the step that
first worked it out: an expression giving a dictionary of names and values (the booking's
`{"report_due_date": add_working_days(conference_date, -setting("report_working_days_..."))}`),
so the statutory interval stays in the diagram and its settings. A waiting timer whose
expression reads a changed name starts again with its due moment worked out afresh; a timer
that has fired already stays fired, so a reminder or an escalation is never sent twice. An
open step whose due date reads a changed name gets the new date.

What a step works out for the workflows it starts (`start_process`: the first core group is
due ten working days after the conference) is named by a `recomputeFollowOns` property on that
step, in the same form: a correction works it out again on the data the step ran with, and
each workflow the step started and that still runs is told the names it started with
(`follow_on_values`). A finished workflow's own dates are worked out the same way
(`worked_out`), so a corrected record follows the diagram even after its workflow ended.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.models.instances import READY, HumanTask
from engine.workflow import tasks

RECOMPUTE = "recompute"
FOLLOW_ONS = "recomputeFollowOns"


@lru_cache(maxsize=1024)
def names_read(expression: str) -> frozenset[str]:
    """The data names an expression reads (the functions it calls are not data)."""
    tree = ast.parse(expression.strip(), mode="eval")
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    named = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return frozenset(named - called)


def apply(workflow: BpmnWorkflow, changes: dict) -> dict:
    """Give every step still to run the changes and what the diagram works out from them;
    every name that changed, with its new value."""
    live = [t for t in workflow.get_tasks() if not t.has_state(TaskState.FINISHED_MASK)]
    # A waiting event copies its (finished) parent's data each time it is looked at again.
    live += [t.parent for t in live if t.state == TaskState.WAITING and t.parent is not None]
    for task in live:
        task.set_data(**changes)
    changed = dict(changes)
    rules = _rules(workflow)
    # A rule may read what another works out (the due date from the target date): go round
    # until nothing more changes, at most once per rule.
    for _round in range(len(rules) + 1):
        before = dict(changed)
        for rule in rules:
            if not names_read(rule) & set(changed):
                continue
            for task in live:
                if names_read(rule) <= set(task.data):
                    values = dict(workflow.script_engine.evaluate(task, rule))
                    task.set_data(**values)
                    changed.update(values)
        if changed == before:
            break
    return changed


def _rules(workflow: BpmnWorkflow) -> list[str]:
    return [rule for _spec, rule in _rules_with_steps(workflow, RECOMPUTE)]


def _rules_with_steps(workflow: BpmnWorkflow, name: str) -> list[tuple]:
    specs = [workflow.spec, *(workflow.subprocess_specs or {}).values()]
    found = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "extensions", None):  # user tasks and scripts have them
                rule = tasks.properties(task_spec).get(name)
                if rule:
                    found.append((task_spec, rule))
    return found


def _ran_with(workflow: BpmnWorkflow, task_spec, changed: dict) -> dict | None:
    """The data the step's last run ended with, the changes laid over it; None if not run."""
    ran = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec is task_spec]
    return {**ran[-1].data, **changed} if ran else None


def worked_out(workflow: BpmnWorkflow, changes: dict) -> dict:
    """What the diagram's `recompute` rules work out from `changes` on the data their steps
    ran with, nothing in the workflow changed (its steps may all have finished); every name
    that changed, with its new value."""
    changed = dict(changes)
    rules = _rules_with_steps(workflow, RECOMPUTE)
    for _round in range(len(rules) + 1):
        before = dict(changed)
        for task_spec, rule in rules:
            data = (
                _ran_with(workflow, task_spec, changed) if names_read(rule) & set(changed) else None
            )
            if data is not None and names_read(rule) <= set(data):
                changed.update(workflow.script_engine.environment.evaluate(rule, data))
        if changed == before:
            break
    return changed


def follow_on_values(workflow: BpmnWorkflow, changed: dict) -> dict:
    """What the steps that started other workflows work out for them afresh from `changed`
    (their `recomputeFollowOns` rules, on the data each step ran with)."""
    values = {}
    for task_spec, rule in _rules_with_steps(workflow, FOLLOW_ONS):
        if not names_read(rule) & set(changed):
            continue
        data = _ran_with(workflow, task_spec, changed)
        if data is not None and names_read(rule) <= set(data):
            values.update(workflow.script_engine.environment.evaluate(rule, data))
    return values


def started_with(workflow: BpmnWorkflow, values: dict) -> dict:
    """Of `values`, those a workflow started with under the same name whose value (in the
    steps still to run) differs."""
    start = workflow.task_tree.data
    live = [t for t in workflow.get_tasks() if not t.has_state(TaskState.FINISHED_MASK)]
    differ = {}
    for name, value in values.items():
        if name not in start:
            continue
        now = next((t.data[name] for t in live if name in t.data), start[name])
        if now != value:
            differ[name] = value
    return differ


def restart_timers(workflow: BpmnWorkflow, changed: set[str]) -> None:
    """Work out afresh the due moment of each waiting timer that reads a changed name (the
    engine's clock must be bound, as for any timer); a fired one is left as it is."""
    for task in list(workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        if task.internal_data.get("event_fired") or not names_read(definition.expression) & changed:
            continue
        task.internal_data.pop("event_value", None)
        definition.has_fired(task)


def refresh_due_dates(workflow: BpmnWorkflow, rows: list[HumanTask], changed: set[str]) -> None:
    """The open steps whose due date reads a changed name are due on the new date."""
    for row in rows:
        if row.state != READY:
            continue
        task = workflow.get_task_from_id(UUID(row.id))
        expression = tasks.properties(task.task_spec).get("dueDate") if task else None
        if expression and names_read(expression) & changed:
            row.due_on = tasks.due_on(workflow, task, expression)
