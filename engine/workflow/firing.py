"""Firing due timers: one instance, or a batch the sweep has claimed, in one transaction.

A batch is all or nothing. The rows it needs are read in three statements, every instance's
step runs, and one flush and one commit save them all; each instance's UPDATE still matches
only the version it read and clears only our own lease, so exactly-once holds as for one.
If anything goes wrong (a step raises, a lease passed on, someone saved the case meanwhile)
the whole batch rolls back and the sweep fires those instances one by one, where a failure
is isolated, counted and backed off. Failures are rare; the batch is the fast common path.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine.models.instances import (
    RUNNING,
    ProcessInstance,
    instances_with_state,
    open_tasks_by_instance,
)
from engine.models.timers import waiting_by_instance
from engine.platform.db import redo_if_lost, transaction
from engine.platform.errors import ConcurrentUpdate, NotFound
from engine.workflow import timer_rows, timers
from engine.workflow.step_context import StepContext
from engine.workflow.stepping import Stepper


class TimerFiring:
    """The engine's timer commands; `runtime.Engine` owns one and hands it its `Stepper`."""

    def __init__(self, steps: Stepper):
        self.steps = steps

    def fire_timers(
        self, session: Session, instance_id: int, lease_owner: str | None = None
    ) -> int:
        """Fire every timer of the instance that is due by the engine clock; how many fired.

        The sweep passes the owner of its lease: the lease is given back in the same
        transaction, and if it has passed to another worker meanwhile nothing is saved.
        """
        # A firing nearly always needs the state: read it with the row, in one statement, as
        # the database holds it now (the claim's lease was written by a Core UPDATE).
        instance = session.get(
            ProcessInstance,
            instance_id,
            options=[undefer(ProcessInstance.state)],
            populate_existing=True,
        )
        if instance is None:
            raise NotFound(f"No instance {instance_id}.")
        if lease_owner is not None:
            timers.check_lease(instance, lease_owner)
            redo_if_lost(session)
        now = self.steps.clock.now()
        fired, context, workflow = [], None, None
        try:
            with transaction(session):
                if instance.status == RUNNING:
                    workflow = self.steps.load(session, instance)
                    context = StepContext(session, instance, now)
                    fired = self.steps.run(workflow, lambda: None, context)
                if fired:
                    self._save_firing(session, instance, workflow, context, fired, lease_owner)
                else:
                    if context is not None:
                        timer_rows.sync(session, instance, workflow, [], now)
                    if lease_owner is not None:
                        session.flush()
                        timers.release(session, instance, lease_owner)
        except StaleDataError:
            raise ConcurrentUpdate(
                f"Instance {instance_id} changed while its timers fired; nothing was saved."
            ) from None
        if context is not None:
            self._after_firing(instance, workflow, context, fired)
        return len(fired)

    def fire_batch(
        self, session: Session, instance_ids: list[int], lease_owner: str
    ) -> tuple[dict[int, int], list[int]]:
        """Fire the claimed instances' due timers in one transaction, in the order given.

        Returns the timers fired per instance, and the instances left for `fire_timers` one
        by one: those not running, or with nothing due after all (they keep our lease). Any
        failure raises, and nothing of the batch is saved.
        """
        instances = instances_with_state(session, instance_ids)
        open_rows = open_tasks_by_instance(session, instance_ids)
        timer_rows = waiting_by_instance(session, instance_ids)
        now = self.steps.clock.now()
        done, left = [], []
        with transaction(session):
            redo_if_lost(session)
            for instance_id in instance_ids:
                instance = instances.get(instance_id)
                if instance is None or instance.status != RUNNING:
                    left.append(instance_id)
                    continue
                timers.check_lease(instance, lease_owner)
                workflow = self.steps.load(session, instance)
                context = StepContext(session, instance, now, open_rows=open_rows[instance_id])
                fired = self.steps.run(workflow, lambda: None, context)
                if not fired:
                    left.append(instance_id)
                    continue
                self._save_firing(
                    session,
                    instance,
                    workflow,
                    context,
                    fired,
                    lease_owner,
                    timer_rows=timer_rows[instance_id],
                    flush=False,
                )
                done.append((instance, workflow, context, fired))
            session.flush()  # every UPDATE at once; a stale one raises and rolls all back
        for instance, workflow, context, fired in done:
            self._after_firing(instance, workflow, context, fired)
        return {instance.id: len(fired) for instance, _w, _c, fired in done}, left

    def _save_firing(self, session, instance, workflow, context, fired, owner, **save) -> None:
        if owner is not None:
            timers.hand_back(instance)  # in the same version-checked UPDATE
        now = context.now
        rows = context.open_tasks()
        self.steps.save(session, instance, workflow, rows, now, None, fired, context, owner, **save)
        self.steps.after_step(session, context)

    def _after_firing(self, instance, workflow, context, fired) -> None:
        """After the commit: keep the workflow for the next step, count what fired."""
        self.steps.committed(instance, workflow, context, fired)
