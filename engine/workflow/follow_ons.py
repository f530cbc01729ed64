"""The workflows a step started, told when what it worked out for them is worked out again.

A conference's step starts the first core group and review as workflows of their own, with
due dates worked out from the day it was held (`start_process`). When that day is corrected,
the step's `recomputeFollowOns` rule is worked out again on the data it ran with (the
conference's workflow may have finished: `data_changes`), and each workflow it started that
still runs is given the names it started with, so its open steps' due dates and waiting timers
follow as for any change of data. Those started by a later step (the second core group, from
the first) are not told: their dates came from elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models.instances import ProcessInstance, running_started_from
from engine.models.people import User
from engine.workflow import data_changes
from engine.workflow.step_context import StepContext


def tell(
    session: Session,
    steps,
    source_ids: list[int],
    running: dict,
    changes: dict,
    now: datetime,
    actor: User,
) -> list[tuple]:
    """(instance, workflow, context) of each running follow-on of `source_ids` whose starting
    data changes, its workflow changed and its timers restarted, ready to save. `running`
    holds, by id, a source changed in this same command as (workflow, names changed); a
    finished source's are worked out here from `changes`, its workflow left as it was."""
    told = []
    for source_id in source_ids:
        followers = running_started_from(session, source_id)
        if not followers:
            continue
        if source_id in running:
            source, changed = running[source_id]
        else:
            source = steps.loaded(session, session.get(ProcessInstance, source_id))
            changed = data_changes.worked_out(source, changes)
        values = data_changes.follow_on_values(source, changed)
        for follower in followers:
            workflow = steps.load(session, follower)
            given = data_changes.started_with(workflow, values)
            if not given:
                steps.cache.put(follower.id, follower.lock_version, workflow)  # unchanged
                continue
            its = data_changes.apply(workflow, given)
            data_changes.restart_timers(workflow, set(its))
            told.append((follower, workflow, StepContext(session, follower, now, actor, data=its)))
    return told
