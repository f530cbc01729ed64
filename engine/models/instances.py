"""Process instances (engine state plus the columns the inbox and sweep query), human tasks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    bindparam,
    exists,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    undefer,
    validates,
)

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.people import Child, User
from engine.models.processes import ProcessVersion

RUNNING, SUSPENDED, TERMINATED, COMPLETED = "running", "suspended", "terminated", "completed"
READY, DONE, CANCELLED = "ready", "completed", "cancelled"

# The workflows a person starts for a child, of which a child has one at a time (running or
# suspended): a conference (ICPC, pre-birth, transfer-in) and a plan ending. Reviews and core
# groups are started by their diagrams and overlap (a review starts the next one while it still
# sends its minutes). The unique index below enforces it, so the list is written here beside
# it, not in processes/settings.json: changing it takes a migration, not an edit a council can
# make. `migrations/versions/0016` copies it.
ONE_RUNNING_PER_CHILD = ("icpc", "end_plan")
ONE_RUNNING_INDEX = "uq_process_instances_one_running_per_child"
_ONE_RUNNING_WHERE = text(
    f"status IN ('{RUNNING}', '{SUSPENDED}') AND process_id IN "
    f"({', '.join(repr(p) for p in ONE_RUNNING_PER_CHILD)})"
)

TIMER_DUE, LIVE = "ix_process_instances_timer_due", "ix_process_instances_live"
READY_DUE, RUNNING_ONLY = "ix_human_tasks_ready_due", "ix_process_instances_running"
# What the managers' views read of a waiting step, carried in READY_DUE on PostgreSQL.
READY_CARRIED = ("instance_id", "child_id", "assignee_id", "role", "escalation_level", "title")
READY_STAGES = "ix_human_tasks_ready_stages"


def _partial(where: str) -> dict:
    return {"sqlite_where": text(where), "postgresql_where": text(where)}


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (
        Index(None, "status", "next_timer_at"),
        Index(
            ONE_RUNNING_INDEX,
            "child_id",
            "process_id",
            unique=True,
            sqlite_where=_ONE_RUNNING_WHERE,
            postgresql_where=_ONE_RUNNING_WHERE,
        ),
        # Live rows only (migration 0031), so finished instances never slow what reads running
        # ones: the timer sweep's claim (an ended instance clears next_timer_at) and the lists.
        Index(TIMER_DUE, "next_timer_at", **_partial("next_timer_at IS NOT NULL")),
        Index(LIVE, "id", **_partial(f"status IN ('{RUNNING}', '{SUSPENDED}')")),
        # Running only (migration 0032): the managers' views join waiting steps to it.
        Index(RUNNING_ONLY, "id", **_partial(f"status = '{RUNNING}'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(64), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    state: Mapped[str] = mapped_column(Text, deferred=True)  # read only to run a step
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The timer sweep's claim: nobody else may fire this instance's timers before
    # `lease_until` (a worker's lease, or the back-off after a firing that failed).
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    timer_error: Mapped[str | None] = mapped_column(Text)
    timer_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The workflow whose step started this one (`start_process`): what that step worked out
    # for it follows a correction of what it was worked out from (migration 0032). No foreign
    # key: retention may delete the starting workflow before the one it started.
    started_from_id: Mapped[int | None] = mapped_column(Integer, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[ProcessVersion] = relationship()
    child: Mapped[Child | None] = relationship()
    started_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("child_id")
    def _child_is_fixed(self, _key, child_id):
        """A workflow's child is set when it starts and never changes: its task rows carry a
        copy (`HumanTask.child_id`) that case access trusts."""
        if inspect(self).has_identity and child_id != self.child_id:
            raise ValueError("A workflow's child cannot be changed once it has started.")
        return child_id

    @property
    def reference(self) -> str:
        """The case reference that emails and letters carry instead of a child's name."""
        return f"{self.process_id.upper().replace('_', '-')}-{self.id:06d}"

    @property
    def active(self) -> bool:
        return self.status in (RUNNING, SUSPENDED)


def is_second_running(error: Exception) -> bool:
    """True when the database refused a start because the child already has that workflow
    running (the unique index above), on PostgreSQL or SQLite."""
    message = str(getattr(error, "orig", error))
    sqlite = "UNIQUE constraint failed: process_instances.child_id, process_instances.process_id"
    return ONE_RUNNING_INDEX in message or sqlite in message


class HumanTask(Base):
    """A ready (or finished) user task, queryable without opening the engine state.

    The id is SpiffWorkflow's task id, so a row and the engine task never need a mapping table.
    """

    __tablename__ = "human_tasks"
    __table_args__ = (
        # Each index ends with child_id so that case access (the children of a person's
        # tasks, done tasks and role pools) is read from the index alone.
        Index(None, "state", "role", "assignee_id", "child_id"),
        Index(None, "assignee_id", "state", "child_id"),
        Index(None, "instance_id", "state"),
        Index(None, "completed_by_id", "child_id"),
        # Waiting steps only, by due date (migration 0034): the managers' views of what is
        # overdue or falling due read these, never the finished steps of ten years.
        Index(
            READY_DUE,
            "due_on",
            "id",
            postgresql_include=list(READY_CARRIED),
            **_partial(f"state = '{READY}'"),
        ),
        # The steps something waits at now (the instance list's "Waiting at step" choices),
        # read one step at a time from ready rows only (migration 0035). It leads with the
        # state, the same in every entry, so SQLite's planner, which has no statistics, takes
        # it over the index above for the state's equality (migration 0037).
        Index(READY_STAGES, "state", "task_spec", "title", **_partial(f"state = '{READY}'")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    # The instance's child, copied when the row is made (an instance's child never changes):
    # case access asks which children a person's tasks are about without opening instances.
    child_id: Mapped[int | None] = mapped_column(ForeignKey("children.id"))
    task_spec: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(120))
    role: Mapped[str | None] = mapped_column(String(40))
    form_key: Mapped[str | None] = mapped_column(String(200))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state: Mapped[str] = mapped_column(String(16), default=READY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    instance: Mapped[ProcessInstance] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])


def running_started_from(session: Session, instance_id: int) -> list[ProcessInstance]:
    """The workflows still running that a step of this one started, oldest first."""
    query = select(ProcessInstance).where(
        ProcessInstance.started_from_id == instance_id, ProcessInstance.status == RUNNING
    )
    return list(session.scalars(query.order_by(ProcessInstance.id)))


def open_tasks(session: Session, instance_id: int) -> list[HumanTask]:
    return list(session.scalars(_OPEN_TASKS, {"instance_id": instance_id}))


def step_reached(session: Session, instance_id: int, task_spec: str) -> bool:
    """Whether the instance has had a task row of this step, open, done or cancelled."""
    query = select(HumanTask.id).where(
        HumanTask.instance_id == instance_id, HumanTask.task_spec == task_spec
    )
    return session.scalar(query.limit(1)) is not None


# The statements every completion runs, built once: SQLAlchemy keeps a statement's cache key
# on the statement, so a request reuses it instead of building the query and its key afresh.
_OPEN_TASKS = (
    select(HumanTask)
    .where(HumanTask.instance_id == bindparam("instance_id"), HumanTask.state == READY)
    .order_by(HumanTask.created_at)
)


def open_tasks_by_instance(session: Session, instance_ids: list[int]) -> dict[int, list]:
    """`open_tasks` of several instances in one statement (a batch of timer firings)."""
    query = select(HumanTask).where(
        HumanTask.instance_id.in_(instance_ids), HumanTask.state == READY
    )
    found = defaultdict(list)
    for row in session.scalars(query.order_by(HumanTask.created_at)):
        found[row.instance_id].append(row)
    return found


def instances_with_state(session: Session, instance_ids: list[int]) -> dict[int, ProcessInstance]:
    """Instances by id with their (deferred) workflow state read in the same statement, as
    the database holds them now: a claim's lease was written by an UPDATE the session's
    copies did not see."""
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.id.in_(instance_ids))
        .options(undefer(ProcessInstance.state))
        .execution_options(populate_existing=True)
    )
    return {instance.id: instance for instance in session.scalars(query)}


def tasks_of(session: Session, instance_id: int) -> list[HumanTask]:
    query = (
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id)
        .options(joinedload(HumanTask.assignee), joinedload(HumanTask.completed_by))
    )
    return list(session.scalars(query.order_by(HumanTask.created_at, HumanTask.title)))


def tasks_of_instances(session: Session, instance_ids: list[int]) -> dict[int, list[HumanTask]]:
    """`tasks_of` for several instances in one statement (a case page lists all its child's)."""
    found: dict[int, list[HumanTask]] = {i: [] for i in instance_ids}
    if not instance_ids:
        return found
    query = (
        select(HumanTask)
        .where(HumanTask.instance_id.in_(instance_ids))
        .options(joinedload(HumanTask.assignee), joinedload(HumanTask.completed_by))
        .order_by(HumanTask.instance_id, HumanTask.created_at, HumanTask.title)
    )
    for task in session.scalars(query):
        found[task.instance_id].append(task)
    return found


def inbox(session: Session, user: User) -> list[HumanTask]:
    """Ready tasks of running instances: assigned to the user, or unassigned in their roles."""
    mine = HumanTask.assignee_id == user.id
    for_role = and_(HumanTask.assignee_id.is_(None), HumanTask.role.in_(sorted(user.roles)))
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(HumanTask.state == READY, ProcessInstance.status == RUNNING, or_(mine, for_role))
        .options(joinedload(HumanTask.instance).joinedload(ProcessInstance.child))
        .order_by(HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at)
    )
    return list(session.scalars(query))


def ready_tasks_for(
    session: Session, user: User, scope: str, limit: int = 200, offset: int = 0
) -> list[HumanTask]:
    """Ready tasks of running instances: `mine` (assigned to the user), `role` (unassigned, in
    one of the user's roles) or `all` (both: the inbox), soonest due first."""
    mine = HumanTask.assignee_id == user.id
    for_role = and_(HumanTask.assignee_id.is_(None), HumanTask.role.in_(sorted(user.roles)))
    wanted = {"mine": mine, "role": for_role}.get(scope, or_(mine, for_role))
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(HumanTask.state == READY, ProcessInstance.status == RUNNING, wanted)
        .options(joinedload(HumanTask.instance), joinedload(HumanTask.assignee))
        .order_by(HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at)
        .order_by(HumanTask.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def overdue_condition(today: date):
    """Instances with a ready task whose due date has passed."""
    return exists().where(
        HumanTask.instance_id == ProcessInstance.id,
        HumanTask.state == READY,
        HumanTask.due_on < today,
    )


def list_instances(
    session: Session,
    process_id: str | None = None,
    status: str | None = None,
    limit: int = 200,
    condition=None,
    child_id: int | None = None,
    overdue_on: date | None = None,
    offset: int = 0,
    version_id: int | None = None,
) -> list[ProcessInstance]:
    query = (
        select(ProcessInstance)
        .options(joinedload(ProcessInstance.version), joinedload(ProcessInstance.child))
        .order_by(ProcessInstance.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if status:
        query = query.where(ProcessInstance.status == status)
    if version_id is not None:
        query = query.where(ProcessInstance.version_id == version_id)
    if child_id is not None:
        query = query.where(ProcessInstance.child_id == child_id)
    if overdue_on is not None:
        query = query.where(overdue_condition(overdue_on))
    if condition is not None:
        query = query.where(condition)
    return list(session.scalars(query))


def instances_for_child(session: Session, child_id: int) -> list[ProcessInstance]:
    query = (
        select(ProcessInstance)
        .where(ProcessInstance.child_id == child_id)
        .options(joinedload(ProcessInstance.version))
    )
    return list(session.scalars(query.order_by(ProcessInstance.id.desc())))


def active_instances_for_plan(session: Session, plan_id: int) -> list[ProcessInstance]:
    query = select(ProcessInstance).where(
        ProcessInstance.plan_id == plan_id, ProcessInstance.status.in_((RUNNING, SUSPENDED))
    )
    return list(session.scalars(query))


def counts_by_process_and_status(session: Session) -> dict[tuple[str, str], int]:
    """How many instances each process has in each status (one grouped query)."""
    query = select(ProcessInstance.process_id, ProcessInstance.status, func.count()).group_by(
        ProcessInstance.process_id, ProcessInstance.status
    )
    return {(process, status): count for process, status, count in session.execute(query)}


def versions_in_use(session: Session) -> list[tuple[ProcessVersion, int, bool]]:
    """Each process's newest version, and every older one still running instances.

    Rows of (version, running instances on it, whether it is the newest), by process and
    newest first: after a release, what is still running on the diagrams it replaced.
    """
    running = (
        select(ProcessInstance.version_id, func.count().label("running"))
        .where(ProcessInstance.status == RUNNING)
        .group_by(ProcessInstance.version_id)
        .subquery()
    )
    newest = select(func.max(ProcessVersion.id)).group_by(ProcessVersion.process_id)
    query = (
        select(ProcessVersion, func.coalesce(running.c.running, 0))
        .outerjoin(running, running.c.version_id == ProcessVersion.id)
        .where(or_(ProcessVersion.id.in_(newest), running.c.running > 0))
        .order_by(ProcessVersion.process_id, ProcessVersion.id.desc())
    )
    rows, seen = [], set()
    for version, count in session.execute(query):
        rows.append((version, count, version.process_id not in seen))
        seen.add(version.process_id)
    return rows


def open_tasks_for_child(session: Session, child_id: int, condition=None) -> list[HumanTask]:
    """Every step waiting on the child's running workflows, soonest due first."""
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(
            ProcessInstance.child_id == child_id,
            ProcessInstance.status == RUNNING,
            HumanTask.state == READY,
        )
        .options(joinedload(HumanTask.assignee))
        .order_by(HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at)
    )
    if condition is not None:
        query = query.where(condition)
    return list(session.scalars(query))


def tasks_done_by(session: Session, child_id: int, user_id: int) -> list[HumanTask]:
    """The steps this person completed on the child's workflows (their own contributions)."""
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(ProcessInstance.child_id == child_id, HumanTask.completed_by_id == user_id)
        .order_by(HumanTask.completed_at)
    )
    return list(session.scalars(query))
