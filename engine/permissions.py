"""Who may do what to a workflow. The one place these rules live; pages and API ask here."""

from __future__ import annotations

from .models.instances import HumanTask
from .models.people import User

MANAGERS = frozenset({"team_manager", "service_manager", "administrator"})
STARTERS = frozenset({"social_worker", "team_manager", "service_manager", "administrator"})
DEPLOYERS = frozenset({"process_owner", "administrator"})


def can_complete(user: User, task: HumanTask) -> bool:
    """The assignee, or, while nobody is assigned, anyone holding the task's role."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.role is not None and user.has_role(task.role)


def can_manage_instances(user: User) -> bool:
    """Suspend, resume and terminate are for managers."""
    return bool(user.roles & MANAGERS)


def can_start(user: User) -> bool:
    return bool(user.roles & STARTERS)


def can_deploy(user: User) -> bool:
    return bool(user.roles & DEPLOYERS)
