"""Changing what running workflows know: one command, one transaction, every workflow told.

A conference moved to another date or chair, a child born: each running workflow given is
changed in every step still to run, with what its diagram works out from the change, its
open steps' due dates and the waiting timers that read it (`data_changes`), and the workflows
that earlier steps started are told what those steps work out afresh (`follow_ons`). All of
them are saved together or none is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models.instances import RUNNING, ProcessInstance, open_tasks
from engine.models.people import User
from engine.platform import clock as clocks
from engine.platform.db import transaction
from engine.platform.errors import InstanceNotActive
from engine.workflow import data_changes, expressions, follow_ons, step_context
from engine.workflow.step_context import StepContext
from engine.workflow.stepping import Stepper


def change_data(
    steps: Stepper,
    language: expressions.Language,
    session: Session,
    instance_ids: list[int],
    actor: User,
    changes: dict,
    then=None,
    follow_from: tuple[int, ...] = (),
) -> dict[int, dict]:
    """Change `changes` in each running workflow of `instance_ids`. The workflows that the
    steps of `follow_from` (running or finished) started and that still run are told what
    those steps work out afresh. `then` runs as a diagram step of the first would (record
    functions see its context, whose `data` holds every name changed) before the save, given
    (with `follow_from`) what each follow-on was told by instance id; what it raises
    propagates with nothing saved. What each follow-on was told, by instance id."""
    now = steps.clock.now()
    language.check_variables(changes)
    loaded = []
    with transaction(session), clocks.using(steps.clock):
        for instance_id in instance_ids:
            instance = session.get(ProcessInstance, instance_id)
            if instance is None or instance.status != RUNNING:
                raise InstanceNotActive("This case is not running, so it cannot be changed.")
            workflow = steps.load(session, instance)
            changed = data_changes.apply(workflow, changes)
            data_changes.restart_timers(workflow, set(changed))
            context = StepContext(session, instance, now, actor, data=changed)
            loaded.append((instance, workflow, context))
        running = {i.id: (w, c.data) for i, w, c in loaded}
        told = follow_ons.tell(session, steps, list(follow_from), running, changes, now, actor)
        loaded += told
        given = ({i.id: c.data for i, _w, c in told},) if follow_from else ()
        if then is not None and loaded:
            with step_context.bound(loaded[0][2]):
                then(*given)
        elif then is not None:
            then(*given)
        for instance, workflow, context in loaded:
            rows = open_tasks(session, instance.id)
            data_changes.refresh_due_dates(workflow, rows, set(context.data))
            steps.save(session, instance, workflow, rows, now, actor, context=context)
    for instance, workflow, _context in loaded:
        steps.cache.put(instance.id, instance.lock_version, workflow)
    return given[0] if given else {}
