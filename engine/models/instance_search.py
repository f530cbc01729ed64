"""Finding process instances for managers: by child (name or reference), process, version,
status, stage, team, overdue; with who holds each waiting step and when it is due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from engine.models.instances import READY, HumanTask, ProcessInstance
from engine.models.people import SEARCHED_NAMES, Child, User
from engine.models.teams import names as team_names

PER_PAGE = 50
# After ten years an unfiltered list matches every instance a council has run (500,000 at a
# large one), and counting them all read every one on each page view. Matches are counted
# up to COUNTED: past it the page says "more than" and pages through the newest COUNTED;
# filters narrow a search to an exact count.
COUNTED = 10_000


@dataclass(frozen=True)
class InstanceFilter:
    process: str | None = None
    version: int | None = None
    status: str | None = None
    stage: str | None = None  # the task spec of a step waiting now
    team: str | None = None  # the team of the child's social worker
    overdue: bool = False
    child: str | None = None  # part of the child's name or reference
    page: int = 1


@dataclass
class InstancePage:
    instances: list[ProcessInstance]
    matching: int  # exact, or COUNTED when `more` match than that
    page: int
    pages: int
    more: bool = False  # more than `matching` match: only the newest `matching` are paged
    overdue_ids: set[int] = field(default_factory=set)
    stages: dict[int, list[str]] = field(default_factory=dict)
    holders: dict[int, list[str]] = field(default_factory=dict)  # of the waiting steps
    due: dict[int, date] = field(default_factory=dict)  # the earliest waiting step's


def child_matches(text: str):
    """A condition on `Child`: its reference, given name, family name or full name
    contains `text`, in any case. The full name holds both names, so it and the reference
    are all that is tested: on PostgreSQL each test reads its trigram index (0032)."""
    pattern = f"%{text.strip().lower()}%"
    return or_(*(searched.like(pattern) for searched in SEARCHED_NAMES))


def _waiting(*conditions):
    return exists().where(
        HumanTask.instance_id == ProcessInstance.id, HumanTask.state == READY, *conditions
    )


def _conditions(wanted: InstanceFilter, today: date, condition) -> list:
    found = [] if condition is None else [condition]
    if wanted.process:
        found.append(ProcessInstance.process_id == wanted.process)
    if wanted.version:
        found.append(ProcessInstance.version_id == wanted.version)
    if wanted.status:
        found.append(ProcessInstance.status == wanted.status)
    if wanted.stage:
        found.append(_waiting(HumanTask.task_spec == wanted.stage))
    if wanted.overdue:
        found.append(_waiting(HumanTask.due_on < today))
    if wanted.child and wanted.child.strip():
        found.append(
            ProcessInstance.child_id.in_(select(Child.id).where(child_matches(wanted.child)))
        )
    if wanted.team:
        worker = select(User.id).where(User.team == wanted.team)
        children = select(Child.id).where(Child.social_worker_id.in_(worker))
        found.append(ProcessInstance.child_id.in_(children))
    return found


def _row_by_row(wanted: InstanceFilter, condition):
    """The access condition for a page of the newest instances, tested on each row.

    `child_id IN (children the person may see)` is planned as a join, and no join keeps the
    order of the rows it is given: a team manager's first page (a tenth of a council's
    children) then read all 500,000 instances and sorted the 50,000 theirs. Tested on each
    row instead (`IS TRUE`: the same rows, but no longer a join), the set is read once into a
    hash and the page walks the id index from the newest until it has its rows, about 500.
    A search through other tables (a child, a team, a waiting step) narrows the rows more
    than access does: it keeps the join, which starts from the few rows it finds."""
    narrowed = wanted.stage or wanted.overdue or wanted.team or (wanted.child or "").strip()
    if condition is None or narrowed:
        return condition
    return condition.is_(True)


def search(
    session: Session, wanted: InstanceFilter, today: date, condition=None, per_page=None
) -> InstancePage:
    per_page = per_page or PER_PAGE
    where = _conditions(wanted, today, condition)
    shown = _conditions(wanted, today, _row_by_row(wanted, condition))
    counted = select(ProcessInstance.id).where(*where).limit(COUNTED + 1).subquery()
    matching = session.scalar(select(func.count()).select_from(counted))
    more = matching > COUNTED
    matching = min(matching, COUNTED)
    pages = max(1, -(-matching // per_page))
    page = min(max(wanted.page, 1), pages)
    # The page's ids first, then their rows with version and child: joining before the
    # offset would join every row skipped (7,500 of them on page 150).
    paged = (
        select(ProcessInstance.id)
        .where(*shown)
        .order_by(ProcessInstance.id.desc())
        # The last counted page stops at the newest COUNTED, as the page says.
        .limit(min(per_page, matching - (page - 1) * per_page) if more else per_page)
        .offset((page - 1) * per_page)
    )
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.id.in_(paged))
        .options(joinedload(ProcessInstance.version), joinedload(ProcessInstance.child))
        .order_by(ProcessInstance.id.desc())
    )
    instances = list(session.scalars(query))
    ids = [i.id for i in instances]
    stages: dict[int, list[str]] = {}
    holders: dict[int, list[str]] = {}
    due: dict[int, date] = {}
    overdue: set[int] = set()
    if ids:
        waiting = (
            select(
                HumanTask.instance_id,
                HumanTask.title,
                HumanTask.due_on,
                User.display_name,
                HumanTask.role,
            )
            .outerjoin(User, User.id == HumanTask.assignee_id)
            .where(HumanTask.instance_id.in_(ids), HumanTask.state == READY)
        )
        order = (HumanTask.due_on.is_(None), HumanTask.due_on)
        for instance_id, title, due_on, holder, role in session.execute(waiting.order_by(*order)):
            stages.setdefault(instance_id, []).append(title)
            who = holder or f"Unclaimed: {(role or 'anyone').replace('_', ' ')}"
            if who not in holders.setdefault(instance_id, []):
                holders[instance_id].append(who)
            if due_on is not None:
                due.setdefault(instance_id, due_on)
                if due_on < today:
                    overdue.add(instance_id)
    return InstancePage(instances, matching, page, pages, more, overdue, stages, holders, due)


def filter_options(session: Session) -> dict[str, list]:
    """What the filter form offers: processes with their versions, waiting steps, teams."""
    from engine.models.processes import ProcessVersion

    versions = session.execute(
        select(ProcessVersion.id, ProcessVersion.process_id, ProcessVersion.name).order_by(
            ProcessVersion.process_id, ProcessVersion.id
        )
    ).all()
    return {"versions": versions, "stages": waiting_stages(session), "teams": team_names(session)}


def waiting_stages(session: Session) -> list[tuple[str, str]]:
    """(task spec, title) of each step something waits at now, by task spec.

    Grouping every ready row read them all (10,000 at a large council, each on its own
    table page) on each list page. This steps through the ready rows' index instead (the
    partial index on task_spec, title): the first spec, then the first after it, and so
    on, one index probe for each of the dozen or so steps and one for its title."""
    ready = HumanTask.state == READY
    after = aliased(HumanTask)
    first = select(func.min(HumanTask.task_spec).label("spec")).where(ready)
    specs = first.cte("specs", recursive=True)
    following = (
        select(func.min(after.task_spec))
        .where(after.state == READY, after.task_spec > specs.c.spec)
        .scalar_subquery()
    )
    specs = specs.union_all(select(following).where(specs.c.spec.is_not(None)))
    title = (
        select(func.min(HumanTask.title))
        .where(ready, HumanTask.task_spec == specs.c.spec)
        .scalar_subquery()
    )
    found = select(specs.c.spec, title).where(specs.c.spec.is_not(None)).order_by(specs.c.spec)
    return [tuple(row) for row in session.execute(found)]
