"""Retention: records kept a set number of years after the child's last plan ended.

The number of years is a council setting (`retention_years_after_plan_end`). Nothing is
deleted here: a daily job tells administrators how many records are due for review, and
the review page lists them, so a person decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from engine.messaging import outbox
from engine.models import audit
from engine.models.people import User, users_with_role
from engine.models.retention import last_plan_ended_before
from engine.platform import settings, workdays
from engine.platform.db import transaction


@dataclass
class DueRecord:
    reference: str
    child_id: int
    plan_ended_on: date
    review_from: date


def years() -> int:
    return int(settings.get("retention_years_after_plan_end"))


def cutoff(today: date) -> date:
    """The latest plan end date whose record is due for review today: records are due once
    the end date's anniversary `years()` on (`workdays.add_years`) has come. A plan that
    ended on 29 February has its anniversary on 1 March in a year without one, so it is not
    yet due on 28 February."""
    kept = years()
    try:
        return today.replace(year=today.year - kept)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - kept, day=28)


def due_for_review(session: Session, today: date) -> list[DueRecord]:
    kept = years()
    return [
        DueRecord(child.reference, child.id, ended, workdays.add_years(ended, kept))
        for child, ended in last_plan_ended_before(session, cutoff(today))
    ]


def report(session: Session, now: datetime, today: date) -> int:
    """Tell each administrator how many records are due (a count and a link, nothing more)."""
    due = due_for_review(session, today)
    with transaction(session):
        audit.record(session, None, "retention.reviewed", now, due=len(due))
        if due:
            for admin in users_with_role(session, "administrator"):
                _notify(session, admin, len(due), now, today)
    return len(due)


def _notify(session: Session, admin: User, count: int, now: datetime, today: date) -> None:
    outbox.queue(
        session,
        kind="retention",
        key=f"retention:{today.isoformat()}:{admin.id}",
        user=admin,
        subject=f"{count} child protection records are due for retention review",
        body=(
            f"{count} records have passed the council's retention period of {years()} years "
            "after the child's last plan ended. Review them in the service."
        ),
        link="/retention",
        instance_id=None,
        now=now,
    )
