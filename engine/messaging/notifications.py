"""Who hears about what: new tasks, reminders before a due date, escalations after it, and
a case whose timers stopped failing.

Reminders and escalations are sent by the diagrams' timers (`remind`, `escalate`); new-task
notices by the runtime whenever a step creates a task. Who hears is decided here from the
case and the council's escalation chain; what is due and when comes from the diagram. A
message names the case reference and links to the task or case, never the child's name or
the concerns (special category data). Everything is queued in the outbox in the step's own
transaction (`engine/messaging/outbox.py`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.access import access
from engine.messaging import outbox
from engine.models import session_memo
from engine.models.instances import HumanTask, ProcessInstance, step_reached
from engine.models.people import (
    Recipient,
    User,
    recipients_with_role,
    user_by_username,
    users_with_role,
)
from engine.models.timeliness import Escalation
from engine.platform import settings, workdays
from engine.workflow import step_context
from engine.workflow.permissions import MANAGERS


def _when(day) -> str:
    value = workdays.as_date(day)
    return f"{value.day} {value:%B %Y}"


def _people_for(
    session: Session, row: HumanTask, cache: dict | None = None
) -> list[User | Recipient]:
    """Whoever may do the task: its assignee, or everyone active in its role."""
    if row.assignee_id is not None:
        user = session.get(User, row.assignee_id)
        return [user] if user is not None else []
    if not row.role:
        return []
    cache = {} if cache is None else cache
    if row.role not in cache:
        cache[row.role] = recipients_with_role(session, row.role)
    return cache[row.role]


def tasks_created(
    session: Session,
    instance: ProcessInstance,
    rows: list[HumanTask],
    actor: User | None,
    now: datetime,
) -> int:
    """Tell whoever may do each new task that it is waiting; how many were told.

    The person whose step created the task is not told: they are looking at the service.
    """
    told, by_role = 0, {}
    _new_tasks(session).update(row.id for row in rows)
    for row in rows:
        due = f", due by {_when(row.due_on)}" if row.due_on else ""
        for user in _people_for(session, row, by_role):
            if actor is not None and user.id == actor.id:
                continue
            told += outbox.queue(
                session,
                kind="new_task",
                key=f"new_task:{row.id}:{user.id}",
                user=user,
                subject=f"New task: {row.title} ({instance.reference})",
                body=f"“{row.title}” for case {instance.reference} is waiting for you{due}.",
                link=f"/tasks/{row.id}",
                instance_id=instance.id,
                now=now,
                new_key=True,
            )
    return told


def _new_tasks(session: Session) -> set[str]:
    """The ids of the tasks this transaction made (`tasks_created` is told of each): no
    message about one of them can have been queued before, so the outbox need not be asked."""
    return session_memo.remembered(session, frozenset(), ("new_tasks",), set)


def task_assigned(
    session: Session, row: HumanTask, assignee: User, actor: User, now: datetime
) -> bool:
    """Tell a person a manager has given them a task (not when they gave it to themselves)."""
    if assignee.id == actor.id:
        return False
    due = f", due by {_when(row.due_on)}" if row.due_on else ""
    reference = row.instance.reference
    return outbox.queue(
        session,
        kind="new_task",
        key=f"task_assigned:{row.id}:{assignee.id}:{now.isoformat()}",
        user=assignee,
        subject=f"Task assigned to you: {row.title} ({reference})",
        body=f"{actor.display_name} has given you “{row.title}” for case {reference}{due}.",
        link=f"/tasks/{row.id}",
        instance_id=row.instance_id,
        now=now,
    )


def remind(step, due_date, what=None) -> None:
    """Remind whoever holds the open task `step` that it is due soon.

    The task is looked for once the step is saved: a reminder already due when a step
    starts the task (a date recorded late) fires within that step, before the task has
    a row. A step the case has not reached yet (a conference due before it is even booked)
    waits on the tasks open before it: their holders are reminded instead, told what is due
    (`what`, as the diagram's escalation names it) and that it waits on them.
    """
    ctx = step_context.current()
    ctx.once_saved(lambda rows: _remind(ctx, rows, str(step), due_date, what))


def _remind(ctx: step_context.StepContext, rows: list[HumanTask], step: str, due_date, what):
    """Queue the reminder to whoever may do the open rows of `step`, or, if the case has not
    reached it, of the steps it waits on; how many were told."""
    ref, when = ctx.instance.reference, _when(due_date)
    due = [row for row in rows if row.task_spec == step]
    if due or not rows or step_reached(ctx.session, ctx.instance.id, step):
        return _send_reminders(
            ctx,
            due,
            key=lambda row: f"reminder:{row.id}",
            subject=lambda row: f"Due {when}: {row.title} ({ref})",
            body=lambda row: f"“{row.title}” for case {ref} is due by {when}.",
        )
    what = str(what) if what else "The next step"
    return _send_reminders(
        ctx,
        rows,
        key=lambda row: f"reminder:{row.id}:before:{step}",
        subject=lambda _row: f"Due {when}: {what} ({ref})",
        body=lambda row: (
            f"{what} for case {ref} is due by {when}, and cannot go ahead "
            f"until “{row.title}” is done."
        ),
    )


def _send_reminders(ctx, rows: list[HumanTask], key, subject, body) -> int:
    """Queue one reminder to each person who may do each row, its words made from the row."""
    told, new, by_role = 0, _new_tasks(ctx.session), {}
    for row in rows:
        for user in _people_for(ctx.session, row, by_role):
            told += outbox.queue(
                ctx.session,
                kind="reminder",
                key=f"{key(row)}:{user.id}"[:200],
                user=user,
                subject=subject(row),
                body=body(row),
                link=f"/tasks/{row.id}",
                instance_id=ctx.instance.id,
                now=ctx.now,
                new_key=row.id in new,  # a task made by this very step: never reminded
            )
    return told


def _chain_people(role: str) -> list[User | Recipient]:
    ctx = step_context.current()
    if role == "team_manager":
        manager = ctx.data.get("team_manager")
        user = user_by_username(ctx.session, manager) if manager else None
        if user is not None:
            return [user]
    return recipients_with_role(ctx.session, role)


def escalate(step, what, level, due_date, task=None, title=None) -> int:
    """Tell the next manager in the council's chain that `what` is overdue, and mark the open
    tasks of the user task `task` (the step that is late, `step` if not named) escalated
    this far; other tasks of the case, not late, are left alone. A step done once for each
    of several people (each agency's report) names its own task by `title`: that one alone
    is marked, and each is escalated on its own."""
    ctx = step_context.current()
    chain = settings.get("escalation_chain")
    role = chain[min(int(level), len(chain)) - 1]
    ref = ctx.instance.reference
    due_on = workdays.as_date(due_date)
    ctx.session.add(
        Escalation(
            instance_id=ctx.instance.id,
            child_id=ctx.instance.child_id,
            step=str(step),
            title=str(what),
            level=int(level),
            role=role,
            due_on=due_on,
            escalated_at=ctx.now,
        )
    )
    late = str(task or step)
    ctx.once_saved(
        lambda rows: _mark_escalated(
            [r for r in rows if r.task_spec == late and title in (None, r.title)], int(level)
        )
    )
    which = f"{step}:{title}" if title else str(step)
    told = 0
    for user in _chain_people(role):
        told += outbox.queue(
            ctx.session,
            kind="escalation",
            # The due date is part of the key: a step done again in the same instance (a
            # conference rebooked) escalates again; the same deadline never twice.
            key=f"escalation:{ctx.instance.id}:{which}:{level}:{due_on}:{user.id}"[:200],
            user=user,
            subject=f"Overdue: {what} ({ref})",
            body=f"{what} for case {ref} was due by {_when(due_date)} and is overdue. "
            "Please review the case and agree the next step.",
            link=f"/instances/{ctx.instance.id}",
            instance_id=ctx.instance.id,
            now=ctx.now,
        )
    return told


def _mark_escalated(rows: list[HumanTask], level: int) -> None:
    """Mark the late step's open tasks (as the step leaves them) as escalated this far."""
    for row in rows:
        row.escalation_level = max(row.escalation_level or 0, level)


FUNCTIONS = {"remind": remind, "escalate": escalate}


def timers_stopped(session: Session, instance_id: int, now: datetime) -> int:
    """Tell each manager who may see the case that its timers stopped after their last retry
    (`Hooks.timers_stopped`); how many were told. Until one of them retries, none of the
    case's reminders and escalations goes: a statutory deadline could pass unnoticed. Sent at
    once, whatever a manager chose for their tasks' notices."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        return 0
    ref, told = instance.reference, 0
    for user in _managers_of(session, instance.child_id):
        told += outbox.queue(
            session,
            kind="timers_stopped",
            # Each stop is its own: stopped again after a retry, the case is told again.
            key=f"timers_stopped:{instance_id}:{now.isoformat()}:{user.id}",
            user=user,
            subject=f"Timers stopped: case {ref}",
            body=f"The timers of case {ref} failed every retry and have stopped. Its "
            "reminders and escalations will not be sent until a manager retries them from "
            "the case's instance page.",
            link=f"/instances/{instance_id}",
            instance_id=instance_id,
            now=now,
        )
    return told


def _managers_of(session: Session, child_id: int | None) -> list[User]:
    """The active managers who may open the case: a team manager for their team's children,
    a service manager or administrator for every child (one without a child: them alone)."""
    found: dict[int, User] = {}
    for role in sorted(MANAGERS):
        for user in users_with_role(session, role):
            found.setdefault(user.id, user)
    return [
        user
        for user in found.values()
        if access.sees_every_child(user) or access.can_view_child(session, user, child_id)
    ]
