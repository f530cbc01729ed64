"""Save and discard a person's draft answers to a task (see models/drafts.py).

A task that stops being open (completed, cancelled by a step, or its instance ended) loses
every person's drafts in the transaction that closed it: `mark_completed` (when the task
has any), `tasks.sync` and `instance_status.close` call `delete_drafts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from engine.models.drafts import TaskDraft, draft_for
from engine.models.instances import READY, HumanTask
from engine.models.people import User
from engine.platform.db import transaction
from engine.platform.errors import InstanceNotActive

IGNORED = frozenset({"csrf_token", "action"})


def save(
    session: Session, task: HumanTask, user: User, form: Mapping[str, list[str]], now: datetime
) -> TaskDraft:
    """Keep what was typed, exactly, for this person and task; replaces any earlier draft."""
    if task.state != READY:
        raise InstanceNotActive(f"“{task.title}” is no longer waiting, so it has no draft.")
    values = {k: [str(v) for v in vs] for k, vs in form.items() if k not in IGNORED}
    with transaction(session):
        draft = draft_for(session, task.id, user.id)
        if draft is None:
            draft = TaskDraft(task_id=task.id, user_id=user.id)
            session.add(draft)
        draft.values, draft.saved_at = values, now
    return draft


def discard_mine(session: Session, task_id: str, user: User) -> None:
    """Start again: this person's draft of the task goes, others' stay."""
    with transaction(session):
        draft = draft_for(session, task_id, user.id)
        if draft is not None:
            session.delete(draft)
