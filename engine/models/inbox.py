"""The task inbox query: one person's tasks and their role pools, filtered, sorted and paged.

Counts, the number matching the filters and the step choices come from one grouped statement,
the page of tasks from one more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select, true, union_all
from sqlalchemy.orm import Session, contains_eager, selectinload

from .instances import READY, RUNNING, HumanTask, ProcessInstance
from .people import Child, User

SCOPES = {"all": "All", "mine": "Assigned to you", "pool": "Unassigned, for your roles"}
SORTS = {
    "due": (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at),
    "due_desc": (HumanTask.due_on.is_(None), HumanTask.due_on.desc(), HumanTask.created_at),
    "child": (Child.family_name, Child.given_name, HumanTask.due_on),
    "step": (HumanTask.title, HumanTask.due_on),
    "newest": (HumanTask.created_at.desc(),),
}
PER_PAGE = 25


@dataclass(frozen=True)
class InboxFilter:
    scope: str = "all"
    process: str | None = None
    step: str | None = None
    child: str | None = None  # part of a name or a reference
    overdue: bool = False
    sort: str = "due"
    page: int = 1


@dataclass
class InboxCounts:
    total: int = 0
    mine: int = 0
    pool: int = 0
    overdue: int = 0
    due_today: int = 0


@dataclass
class InboxPage:
    tasks: list[HumanTask]
    matching: int
    counts: InboxCounts
    page: int
    pages: int
    processes: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)


def _visible_ids(user: User):
    """Ids of ready tasks for the person or their pools: two index lookups, (assignee, state)
    and (state, role), rather than a scan of every ready task filtered by an OR."""
    mine = select(HumanTask.id).where(HumanTask.assignee_id == user.id, HumanTask.state == READY)
    pool = select(HumanTask.id).where(
        HumanTask.state == READY,
        HumanTask.role.in_(sorted(user.roles)),
        HumanTask.assignee_id.is_(None),
    )
    return union_all(mine, pool).subquery("visible")


def _visible(access_condition):
    """Of those, the ones in running instances, on children the person may see."""
    conditions = [ProcessInstance.status == RUNNING]
    if access_condition is not None:
        conditions.append(or_(ProcessInstance.child_id.is_(None), access_condition))
    return conditions


def _matching(user: User, wanted: InboxFilter, today: date) -> list:
    conditions = []
    if wanted.scope == "mine":
        conditions.append(HumanTask.assignee_id == user.id)
    elif wanted.scope == "pool":
        conditions.append(HumanTask.assignee_id.is_(None))
    if wanted.process:
        conditions.append(ProcessInstance.process_id == wanted.process)
    if wanted.step:
        conditions.append(HumanTask.task_spec == wanted.step)
    if wanted.overdue:
        conditions.append(HumanTask.due_on < today)
    if wanted.child:
        text = f"%{wanted.child.strip().lower()}%"
        name = func.lower(Child.given_name + " " + Child.family_name)
        conditions.append(or_(name.like(text), func.lower(Child.reference).like(text)))
    return conditions


def _base(statement, user: User):
    """Start from the person's visible task ids, then the task, its instance and child."""
    ids = _visible_ids(user)
    return (
        statement.select_from(ids)
        .join(HumanTask, HumanTask.id == ids.c.id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(Child, Child.id == ProcessInstance.child_id)
    )


def _summary(session: Session, user: User, wanted: InboxFilter, today: date, access_condition):
    """One grouped statement: the counts, how many match the filters, and the step choices."""
    matching = _matching(user, wanted, today)
    is_match = and_(*matching) if matching else true()

    def tally(condition):
        return func.sum(case((condition, 1), else_=0))

    query = (
        _base(
            select(
                ProcessInstance.process_id,
                HumanTask.task_spec,
                func.min(HumanTask.title),
                func.count(HumanTask.id),
                tally(HumanTask.assignee_id == user.id),
                tally(HumanTask.assignee_id.is_(None)),
                tally(HumanTask.due_on < today),
                tally(HumanTask.due_on == today),
                tally(is_match),
            ),
            user,
        )
        .where(*_visible(access_condition))
        .group_by(ProcessInstance.process_id, HumanTask.task_spec)
    )
    return session.execute(query).all()


def inbox_page(
    session: Session,
    user: User,
    wanted: InboxFilter,
    today: date,
    access_condition=None,
    per_page: int | None = None,
) -> InboxPage:
    per_page = per_page or PER_PAGE
    groups = _summary(session, user, wanted, today, access_condition)
    totals = [sum(int(g[i] or 0) for g in groups) for i in range(3, 9)]
    counts, matching = InboxCounts(*totals[:5]), totals[5]
    pages = max(1, -(-matching // per_page))
    page = min(max(wanted.page, 1), pages)
    tasks = []
    if matching:
        query = (
            _base(select(HumanTask), user)
            .where(*_visible(access_condition), *_matching(user, wanted, today))
            # The instance and child from the joins already made; the assignees of the page's
            # tasks afterwards, so no join runs for every matching task before the LIMIT.
            .options(contains_eager(HumanTask.instance).contains_eager(ProcessInstance.child))
            .options(selectinload(HumanTask.assignee))
            .order_by(*SORTS.get(wanted.sort, SORTS["due"]), HumanTask.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        tasks = list(session.scalars(query).unique())
    return InboxPage(
        tasks=tasks,
        matching=matching,
        counts=counts,
        page=page,
        pages=pages,
        processes=sorted({g[0] for g in groups}),
        steps=sorted({(g[1], g[2]) for g in groups}, key=lambda s: s[1]),
    )
