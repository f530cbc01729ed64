"""Section 47 enquiries: one row per strategy discussion that started one, conference or not.

The census counts every enquiry, including those that found no conference was needed; those
leave no conference row, so the enquiry is its own record, written by the diagram's step
when the social worker records the strategy discussion. The conference that followed (if
any) is the one opened by the same workflow instance.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, utcnow
from engine.models.conferences import Conference
from engine.models.people import Child


class Section47Enquiry(Base):
    __tablename__ = "s47_enquiries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    strategy_discussion_date: Mapped[date] = mapped_column(Date)
    s47_start_date: Mapped[date] = mapped_column(Date, index=True)
    # The census's ICPC target: 15 working days from the strategy discussion, as the diagram
    # computed it (for a pre-birth case too, whatever date the conference was booked by).
    icpc_target_date: Mapped[date | None] = mapped_column(Date)
    conference_needed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def enquiries_in(session: Session, start: date, end: date, condition=None):
    """The enquiries that started in [start, end] or whose conference was held in it, by
    child and start, as plain rows: their dates, whether a conference was needed, its held
    date or None, and the child's identifiers."""
    held = (
        select(Conference.held_on)
        .where(Conference.instance_id == Section47Enquiry.instance_id)
        .order_by(Conference.id)
        .limit(1)
        .correlate(Section47Enquiry)
        .scalar_subquery()
    )
    query = (
        select(
            Section47Enquiry.s47_start_date,
            Section47Enquiry.icpc_target_date,
            Section47Enquiry.conference_needed,
            held.label("held_on"),
            Child.id.label("child_id"),
            Child.reference,
            Child.date_of_birth,
            Child.expected_date_of_birth,
        )
        .join(Child, Child.id == Section47Enquiry.child_id)
        .where(Section47Enquiry.s47_start_date.between(start, end) | held.between(start, end))
        .order_by(Section47Enquiry.child_id, Section47Enquiry.s47_start_date)
    )
    if condition is not None:
        query = query.where(condition)
    return session.execute(query).all()
