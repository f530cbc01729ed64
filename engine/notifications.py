"""Reminders and escalations the diagrams' timers send, queued in the outbox.

Who hears is decided here from the case and the council's escalation chain; what is due and
when comes from the diagram. A message names the case reference and links to the task or
case, never the child's name or the concerns (special category data).
"""

from __future__ import annotations

from . import settings, step_context, workdays
from .models.instances import HumanTask, open_tasks
from .models.outbox import OutboxMessage
from .models.outbox import exists as message_exists
from .models.people import User, user_by_username, users_with_role
from .models.timeliness import Escalation


def _when(day) -> str:
    value = workdays.as_date(day)
    return f"{value.day} {value:%B %Y}"


def queue(kind: str, key: str, user: User, subject: str, body: str, link: str) -> bool:
    """Queue one email unless the same key was queued before; True if queued now."""
    ctx = step_context.current()
    if not user.email or message_exists(ctx.session, key):
        return False
    ctx.session.add(
        OutboxMessage(
            idempotency_key=key,
            kind=kind,
            to_user_id=user.id,
            to_address=user.email,
            subject=subject,
            body=body,
            link_path=link,
            instance_id=ctx.instance.id,
            created_at=ctx.now,
        )
    )
    return True


def _open_rows(step: str) -> list[HumanTask]:
    ctx = step_context.current()
    return [row for row in open_tasks(ctx.session, ctx.instance.id) if row.task_spec == step]


def _people_for(row: HumanTask) -> list[User]:
    session = step_context.current().session
    if row.assignee_id is not None:
        return [session.get(User, row.assignee_id)]
    return users_with_role(session, row.role) if row.role else []


def remind(step, due_date) -> int:
    """Remind whoever holds the open task `step` that it is due soon; how many were told."""
    ctx = step_context.current()
    ref = ctx.instance.reference
    told = 0
    for row in _open_rows(str(step)):
        for user in _people_for(row):
            told += queue(
                "reminder",
                f"reminder:{row.id}:{user.id}",
                user,
                f"Due {_when(due_date)}: {row.title} ({ref})",
                f"“{row.title}” for case {ref} is due by {_when(due_date)}.",
                f"/tasks/{row.id}",
            )
    return told


def _chain_people(role: str) -> list[User]:
    ctx = step_context.current()
    if role == "team_manager":
        manager = ctx.data.get("team_manager")
        user = user_by_username(ctx.session, manager) if manager else None
        if user is not None:
            return [user]
    return users_with_role(ctx.session, role)


def escalate(step, what, level, due_date) -> int:
    """Tell the next manager in the council's chain that `what` is overdue; mark its tasks."""
    ctx = step_context.current()
    chain = settings.get("escalation_chain")
    role = chain[min(int(level), len(chain)) - 1]
    ref = ctx.instance.reference
    ctx.session.add(
        Escalation(
            instance_id=ctx.instance.id,
            child_id=ctx.instance.child_id,
            step=str(step),
            title=str(what),
            level=int(level),
            role=role,
            due_on=workdays.as_date(due_date),
            escalated_at=ctx.now,
        )
    )
    for row in open_tasks(ctx.session, ctx.instance.id):
        row.escalation_level = max(row.escalation_level or 0, int(level))
    told = 0
    for user in _chain_people(role):
        told += queue(
            "escalation",
            f"escalation:{ctx.instance.id}:{step}:{level}:{user.id}",
            user,
            f"Overdue: {what} ({ref})",
            f"{what} for case {ref} was due by {_when(due_date)} and is overdue. "
            "Please review the case and agree the next step.",
            f"/instances/{ctx.instance.id}",
        )
    return told


FUNCTIONS = {"remind": remind, "escalate": escalate}
