"""Who may do what to a workflow. The one place these rules live; pages and API ask here."""

from __future__ import annotations

from engine.models.instances import HumanTask
from engine.models.people import User

MANAGERS = frozenset({"team_manager", "service_manager", "administrator"})
STARTERS = frozenset({"social_worker", "team_manager", "service_manager", "administrator"})
# Changing a diagram changes what every council worker is asked to do: process owners only.
DEPLOYERS = frozenset({"process_owner"})


def can_complete(user: User, task: HumanTask) -> bool:
    """The assignee, or, while nobody is assigned, anyone holding the task's role."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.role is not None and user.has_role(task.role)


def can_manage_instances(user: User) -> bool:
    """Suspend, resume and terminate are for managers."""
    return bool(user.roles & MANAGERS)


def can_see_all_instances(user: User) -> bool:
    """Every process instance, listed and opened: managers, and process owners (whose
    diagrams they run)."""
    return can_manage_instances(user) or can_deploy(user)


def can_start(user: User) -> bool:
    return bool(user.roles & STARTERS)


def can_deploy(user: User) -> bool:
    """Edit, validate, deploy diagrams and move running instances between their versions."""
    return bool(user.roles & DEPLOYERS)


def can_administer(user: User) -> bool:
    """Accounts, API tokens and council settings are the system administrator's."""
    return user.has_role("administrator")


def can_read_audit(user: User) -> bool:
    """The audit trail is for administrators (information governance), nobody else."""
    return user.has_role("administrator")


def can_assign(user: User) -> bool:
    """Giving a task to a named person is a manager's call."""
    return bool(user.roles & MANAGERS)


def can_claim(user: User, task: HumanTask) -> bool:
    """Take an unassigned task from one's role pool."""
    return task.assignee_id is None and task.role is not None and user.has_role(task.role)


def can_unclaim(user: User, task: HumanTask, named: bool = False) -> bool:
    """Give one's own task back to the role pool: only a task that has a role to go back to
    and that the diagram does not give to a named person (`named`: the social worker, the
    chair), whose case the pool should not open to everyone in the role; `Engine.may_go_back`
    decides `named`, for a named step that went to its pool all the same."""
    return task.assignee_id == user.id and task.role is not None and not named


def can_reassign(user: User, task: HumanTask, named: bool = False) -> bool:
    """The person holding a task, or a manager, may pass it to a colleague; a step the
    diagram gives to a named person only a manager may pass on."""
    if user.roles & MANAGERS:
        return True
    return task.assignee_id == user.id and not named


def can_view_dashboard(user: User) -> bool:
    """Timeliness figures and the census extract are for managers."""
    return bool(user.roles & MANAGERS)
