"""A process owner's list of the cases their process runs, per version.

Process owners change diagrams; they are not allocated to children, so they see no child's
record (`access.level`). The list shows what the diagram does to each case: its reference,
version, status, the steps it waits at (named as the diagram names them, never a task's
title, which may carry a name) and whether it failed, with a link to the version's
failures. The child's name appears only to someone whose role lets them open that child's
record anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.access import access
from engine.models.instances import ProcessInstance, list_instances, open_tasks_by_instance
from engine.models.people import User
from engine.operations import diagram_failures
from engine.platform.errors import NotAllowed
from engine.workflow import permissions

LIMIT = 200


@dataclass
class CaseRow:
    instance: ProcessInstance
    waiting_at: list[str] = field(default_factory=list)
    failed: bool = False
    child_name: str | None = None  # only where the reader may see the child's record


def for_process(
    session: Session,
    user: User,
    process_id: str,
    version_id: int | None = None,
    status: str | None = None,
    limit: int = LIMIT,
) -> list[CaseRow]:
    """The newest cases of the process (on one version, or any), as the reader may see them."""
    if not permissions.can_see_all_instances(user):
        raise NotAllowed("Only process owners and managers can list a process's cases.")
    found = list_instances(
        session, process_id=process_id, status=status, version_id=version_id, limit=limit
    )
    tasks = open_tasks_by_instance(session, [i.id for i in found])
    versions = {i.version_id: i.version for i in found}
    labels = {v.id: diagram_failures.labels_of(v) for v in versions.values()}
    failed: set[int] = set()
    for version in versions.values():
        for failure in diagram_failures.for_version(session, version).failures:
            failed |= {c.id for c in failure.cases}
    visible = _visible_children(session, user, {i.child_id for i in found} - {None})
    return [
        CaseRow(
            instance=i,
            waiting_at=sorted(
                {labels[i.version_id].get(t.task_spec, t.task_spec) for t in tasks.get(i.id, [])}
            ),
            failed=i.id in failed,
            child_name=i.child.full_name if i.child_id in visible else None,
        )
        for i in found
    ]


def _visible_children(session: Session, user: User, child_ids: set[int]) -> set[int]:
    return {c for c in child_ids if access.can_view_child(session, user, c)}
