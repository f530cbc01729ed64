"""Child protection plans, their actions and core group meetings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, bindparam, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow

END_REASONS = {
    "review_cin": "Ended at a review: stepped down to a child in need plan",
    "review_nfa": "Ended at a review: no further action",
    "reached_18": "The young person reached 18",
    "died": "The child died",
    "left_uk": "The child left the UK permanently",
    "transferred_out": "The child moved to another council",
}


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    initial_category: Mapped[str] = mapped_column(String(3))
    latest_category: Mapped[str] = mapped_column(String(3))
    end_reason: Mapped[str | None] = mapped_column(String(20))
    end_details: Mapped[str | None] = mapped_column(Text)
    previous_plans: Mapped[int] = mapped_column(Integer, default=0)
    lead_social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def open(self) -> bool:
        return self.ended_on is None

    @property
    def end_reason_label(self) -> str:
        return END_REASONS.get(self.end_reason or "", self.end_reason or "")


class PlanAction(Base):
    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    conference_id: Mapped[int | None] = mapped_column(ForeignKey("conferences.id"))
    what: Mapped[str] = mapped_column(Text)
    who: Mapped[str] = mapped_column(String(200))
    by_when: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    # What each core group and review said of it, one dated line per meeting.
    progress: Mapped[str | None] = mapped_column(Text)


class CoreGroupMeeting(Base):
    __tablename__ = "core_group_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    held_on: Mapped[date | None] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    progress: Mapped[str | None] = mapped_column(Text)


def open_plan_for(session: Session, child_id: int) -> Plan | None:
    query = select(Plan).where(Plan.child_id == child_id, Plan.ended_on.is_(None))
    return session.scalars(query.order_by(Plan.id.desc())).first()


# `open_plan_for`'s id, of the bound `child_id`, as a scalar subquery built once: for a
# statement that reads the child's row and more at once (a start: `cases._startable`).
OPEN_PLAN_ID = (
    select(Plan.id)
    .where(Plan.child_id == bindparam("child_id"), Plan.ended_on.is_(None))
    .order_by(Plan.id.desc())
    .limit(1)
    .scalar_subquery()
)


def plans_for_child(session: Session, child_id: int) -> list[Plan]:
    query = select(Plan).where(Plan.child_id == child_id).order_by(Plan.started_on, Plan.id)
    return list(session.scalars(query))


def count_previous_plans(session: Session, child_id: int) -> int:
    query = select(func.count(Plan.id)).where(Plan.child_id == child_id)
    return session.scalar(query) or 0


def actions_for(session: Session, plan_id: int) -> list[PlanAction]:
    query = select(PlanAction).where(PlanAction.plan_id == plan_id)
    return list(session.scalars(query.order_by(PlanAction.by_when, PlanAction.id)))


def meetings_for(session: Session, plan_id: int) -> list[CoreGroupMeeting]:
    query = select(CoreGroupMeeting).where(CoreGroupMeeting.plan_id == plan_id)
    return list(session.scalars(query.order_by(CoreGroupMeeting.sequence)))


def waiting_review_and_core_group(session: Session, plan_id: int):
    """The review conference and the core group meeting a plan's workflows wait for now
    (either None): where the dates ahead are projected from."""
    from engine.models.conferences import RCPC, Conference

    review = session.scalars(
        select(Conference)
        .where(Conference.plan_id == plan_id, Conference.kind == RCPC)
        .where(Conference.held_on.is_(None))
        .order_by(Conference.id.desc())
    ).first()
    meeting = session.scalars(
        select(CoreGroupMeeting)
        .where(CoreGroupMeeting.plan_id == plan_id, CoreGroupMeeting.held_on.is_(None))
        .order_by(CoreGroupMeeting.id.desc())
    ).first()
    return review, meeting


def first_core_group_held(session: Session, plan_id: int) -> date | None:
    """The day the plan's core group first met, if it has."""
    query = select(func.min(CoreGroupMeeting.held_on)).where(CoreGroupMeeting.plan_id == plan_id)
    return session.scalar(query)
