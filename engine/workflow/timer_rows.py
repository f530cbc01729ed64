"""Timer rows: each instance's waiting timers mirrored as rows at every save, so the sweep
and the managers' views find what is due without opening any state (`engine.models.timers`).

A row whose timer is no longer waiting either fired (kept, with when and by whom) or was
cancelled with its task (deleted). A save writes them with Core after the instance's
version-checked UPDATE, so a lost race fails on the version before any row is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from engine.models import lengths
from engine.models.instances import ProcessInstance
from engine.models.timers import FIRED, WAITING, Timer
from engine.platform.errors import InvalidValue
from engine.workflow.timers import WaitingTimer, waiting


def sync(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    fired: list[WaitingTimer],
    now: datetime,
    owner: str | None = None,
    new: bool = False,
    rows: list[Timer] | None = None,
    defer: bool = False,
    saved: list[WaitingTimer] | None = None,
) -> RowWrites:
    """Bring the instance's timer rows and `next_timer_at` in line with the workflow.

    A row whose timer is no longer waiting either fired (kept, with when and by whom) or was
    cancelled with its task (deleted). `new` skips reading rows an instance cannot have yet;
    `rows` are its waiting rows when the caller has read them already (a batch). New and
    deleted rows go through the session, or with `defer` are returned for the caller to
    `write` once its version-checked UPDATE has gone (a save). `saved` (with `defer`) are
    the timers waiting in the workflow as it was loaded: its rows mirror exactly those, as
    every save writes them with the state, so they need not be read; the writes then name
    rows by timer, not by id.
    """
    now_waiting = [t for t in waiting(workflow) if t.due is not None]
    current = {t.task_id: t for t in now_waiting}
    fired_by_id = {t.task_id: t for t in fired if t.due is not None}
    known = None
    if saved is not None:
        known = [_Saved(t.task_id, t.due) for t in saved if t.due is not None]
        if min((row.due_at for row in known), default=None) != instance.next_timer_at:
            known = None  # not as the last save left them after all: read them
        rows = known
    if rows is None:
        rows = [] if new else _waiting_rows(session, instance.id)
    writes = RowWrites(instance.id, now, owner, read=known is None)
    for row in rows:
        timer = current.pop(row.task_id, None)
        if timer is not None:
            if row.due_at != timer.due:
                writes.moved.append((row, timer.due))
        elif fired_by_id.pop(row.task_id, None) is not None:
            writes.fired.append(row)
        else:
            writes.gone.append(row)
    writes.new = [_row(instance.id, t, WAITING) for t in current.values()]
    # A timer that started and fired within this one step never had a row: record it too.
    writes.new += [_row(instance.id, t, FIRED, now, owner) for t in fired_by_id.values()]
    instance.next_timer_at = min((t.due for t in now_waiting), default=None)
    if not defer:
        writes.through_session(session)
    return writes


@dataclass(slots=True)
class _Saved:
    """A waiting row known from the workflow as loaded, without reading it."""

    task_id: str
    due_at: datetime


@dataclass
class RowWrites:
    """The timer rows a save changes. Written with Core: nothing reads a new row's id in the
    step, and one short statement per row costs far less than the unit of work's batched
    insert with RETURNING (which PostgreSQL's driver parses afresh when it is long)."""

    instance_id: int
    now: datetime
    owner: str | None
    read: bool  # the rows were read into the session (`Timer`s), not known (`_Saved`)
    gone: list = field(default_factory=list)
    fired: list = field(default_factory=list)
    moved: list[tuple] = field(default_factory=list)  # (row, new due time)
    new: list[dict] = field(default_factory=list)

    def through_session(self, session: Session) -> None:
        """The unit of work's way, for rows read into the session."""
        self._set_on_read_rows()
        for row in self.gone:
            session.delete(row)
        session.add_all(Timer(**values) for values in self.new)

    def write(self, session: Session) -> None:
        if self.new or self.fired:
            _check_owner(self.owner)
        if self.read:  # changed on the rows, flushed with the rest of the step
            self._set_on_read_rows()
            if self.gone:
                session.execute(_DELETE, {"ids": [row.id for row in self.gone]})
                for row in self.gone:
                    session.expunge(row)
        else:  # named by their timer
            for row, due_at in self.moved:
                session.execute(_MOVE, {**self._key([row]), "new_due": due_at})
            if self.fired:
                session.execute(_FIRE, {**self._key(self.fired), "at": self.now, "by": self.owner})
            if self.gone:
                session.execute(_DELETE_SAVED, self._key(self.gone))
        if self.new:
            session.execute(_INSERT, self.new)

    def _set_on_read_rows(self) -> None:
        for row, due_at in self.moved:
            row.due_at = due_at
        for row in self.fired:
            row.status, row.fired_at, row.fired_by = FIRED, self.now, self.owner

    def _key(self, rows) -> dict:
        return {"of_instance": self.instance_id, "of_timers": [row.task_id for row in rows]}


def _row(instance_id: int, timer: WaitingTimer, status: str, at=None, owner=None) -> dict:
    return {
        "instance_id": instance_id,
        "task_id": timer.task_id,
        "element": timer.element[:120],
        "name": timer.name[:200],
        "due_at": timer.due,
        "status": status,
        "fired_at": at,
        "fired_by": owner,
    }


def _check_owner(owner: str | None) -> None:
    """What the flush guard (`lengths`) checks of an ORM row, for the one value not cut."""
    bound = lengths.limit(Timer.fired_by)
    if owner is not None and len(owner) > bound:
        raise InvalidValue({"fired_by": f"Fired by must be {bound} characters or fewer"})


_TIMERS = Timer.__table__
_INSERT = insert(_TIMERS)
_DELETE = delete(_TIMERS).where(_TIMERS.c.id.in_(bindparam("ids", expanding=True)))
# Rows named by their timer: the instance's waiting rows of these timers.
_THESE = (
    _TIMERS.c.instance_id == bindparam("of_instance"),
    _TIMERS.c.task_id.in_(bindparam("of_timers", expanding=True)),
    _TIMERS.c.status == WAITING,
)
_DELETE_SAVED = delete(_TIMERS).where(*_THESE)
_FIRE = (
    update(_TIMERS)
    .where(*_THESE)
    .values(status=FIRED, fired_at=bindparam("at"), fired_by=bindparam("by"))
)
_MOVE = update(_TIMERS).where(*_THESE).values(due_at=bindparam("new_due"))


def clear(session: Session, instance_id: int) -> None:
    """An instance that ended waits for nothing: drop its waiting rows."""
    for row in _waiting_rows(session, instance_id):
        session.delete(row)


def _waiting_rows(session: Session, instance_id: int) -> list[Timer]:
    return list(session.scalars(_WAITING, {"instance_id": instance_id}))


# Built once (every save reads it): see `engine.models.tokens._BY_DIGEST`.
_WAITING = select(Timer).where(
    Timer.instance_id == bindparam("instance_id"), Timer.status == WAITING
)
