"""The task inbox query: one person's tasks and their role pools, filtered, sorted and paged.

Counts, the number matching the filters and the step choices come from one grouped statement,
the page of tasks from one more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, or_, select, true, union_all
from sqlalchemy.orm import Session, contains_eager, selectinload

from engine.models.instances import READY, RUNNING, HumanTask, ProcessInstance
from engine.models.people import Child, User

SCOPES = {"all": "All", "mine": "Assigned to you", "pool": "Unassigned, for your roles"}
SORTS = ("due", "due_desc", "child", "step", "newest")
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


def _order(task, sort: str) -> tuple:
    """ORDER BY of a sort (by `task`, the visible rows or the task table), ties by id."""
    orders = {
        "due": (task.due_on.is_(None), task.due_on, task.created_at),
        "due_desc": (task.due_on.is_(None), task.due_on.desc(), task.created_at),
        "child": (Child.family_name, Child.given_name, task.due_on),
        "step": (task.title, task.due_on),
        "newest": (task.created_at.desc(),),
    }
    return (*orders.get(sort, orders["due"]), task.id)


def _visible(user: User):
    """Ready tasks for the person or their pools, as whole rows: two index lookups,
    (assignee, state) and (state, role, assignee), rather than a scan of every ready task
    filtered by an OR, and no second look-up of each task by its id.

    Its columns, not an aliased entity: adapting an entity to a union costs more Python time
    than the statements take."""
    mine = select(HumanTask).where(HumanTask.assignee_id == user.id, HumanTask.state == READY)
    pool = select(HumanTask).where(
        HumanTask.state == READY,
        HumanTask.role.in_(sorted(user.roles)),
        HumanTask.assignee_id.is_(None),
    )
    return union_all(mine, pool).subquery("visible").c


def _where(access_condition) -> list:
    """Of those, the ones in running instances, on children the person may see."""
    conditions = [ProcessInstance.status == RUNNING]
    if access_condition is not None:
        conditions.append(or_(ProcessInstance.child_id.is_(None), access_condition))
    return conditions


def _matching(task, user: User, wanted: InboxFilter, today: date) -> list:
    conditions = []
    if wanted.scope == "mine":
        conditions.append(task.assignee_id == user.id)
    elif wanted.scope == "pool":
        conditions.append(task.assignee_id.is_(None))
    if wanted.process:
        conditions.append(ProcessInstance.process_id == wanted.process)
    if wanted.step:
        conditions.append(task.task_spec == wanted.step)
    if wanted.overdue:
        conditions.append(task.due_on < today)
    if wanted.child:
        text = f"%{wanted.child.strip().lower()}%"
        name = func.lower(Child.given_name + " " + Child.family_name)
        conditions.append(or_(name.like(text), func.lower(Child.reference).like(text)))
    return conditions


def _base(statement, task, with_child: bool):
    """From the visible tasks to their instances (and children, when filtered or sorted by)."""
    statement = statement.select_from(task.id.table).join(
        ProcessInstance, ProcessInstance.id == task.instance_id
    )
    return (
        statement.outerjoin(Child, Child.id == ProcessInstance.child_id)
        if with_child
        else statement
    )


def _summary(session: Session, user: User, wanted: InboxFilter, today: date, access_condition):
    """One grouped statement: the counts, how many match the filters, and the step choices."""
    task = _visible(user)
    matching = _matching(task, user, wanted, today)
    is_match = and_(*matching) if matching else true()

    def tally(condition):
        return func.sum(case((condition, 1), else_=0))

    query = (
        _base(
            select(
                ProcessInstance.process_id,
                task.task_spec,
                func.min(task.title),
                func.count(task.id),
                tally(task.assignee_id == user.id),
                tally(task.assignee_id.is_(None)),
                tally(task.due_on < today),
                tally(task.due_on == today),
                tally(is_match),
            ),
            task,
            with_child=bool(wanted.child),
        )
        .where(*_where(access_condition))
        .group_by(ProcessInstance.process_id, task.task_spec)
    )
    return session.execute(query).all()


def _page(session, user, wanted, today, access_condition, per_page, page) -> list[HumanTask]:
    """The page's task ids are chosen first (narrow rows sorted); only those 25 tasks are then
    read with their instance and child, not every matching one before the LIMIT."""
    task = _visible(user)
    chosen = (
        _base(select(task.id), task, with_child=bool(wanted.child) or wanted.sort == "child")
        .where(*_where(access_condition), *_matching(task, user, wanted, today))
        .order_by(*_order(task, wanted.sort))
        .limit(per_page)
        .offset((page - 1) * per_page)
        .subquery("page")
    )
    query = (
        select(HumanTask)
        .join(chosen, chosen.c.id == HumanTask.id)
        .join(HumanTask.instance)
        .outerjoin(ProcessInstance.child)
        .options(contains_eager(HumanTask.instance).contains_eager(ProcessInstance.child))
        .options(selectinload(HumanTask.assignee))
        .order_by(*_order(HumanTask, wanted.sort))
    )
    return list(session.scalars(query).unique())


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
    tasks = (
        _page(session, user, wanted, today, access_condition, per_page, page) if matching else []
    )
    return InboxPage(
        tasks=tasks,
        matching=matching,
        counts=counts,
        page=page,
        pages=pages,
        processes=sorted({g[0] for g in groups}),
        steps=sorted({(g[1], g[2]) for g in groups}, key=lambda s: s[1]),
    )
