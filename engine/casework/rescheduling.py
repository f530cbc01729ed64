"""Moving a booked conference: a new date, time, venue or chair, everyone told again.

A conference is moved by business support, a team manager or its chair, with a reason,
before it is held. In one transaction: the conference row changes, the running workflow
learns the new booking (so a chair's step still to come goes to the new chair) and works out
again what the diagram derives from the date (the reports' due date, with the due dates of
the open steps and the timers that read them: `Engine.change_data`), the chair's open steps
pass to the new chair, the agency reports still awaited are due on the reports' new due
date (the one their steps and timers now read), the invitations and agenda are sent again
with the new details, and the audit trail keeps the old and new values and the reason.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.casework import date_checks
from engine.documents import sending
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import Conference, invitations_for, reports_for
from engine.models.families import group_conferences
from engine.models.instances import READY, HumanTask
from engine.models.people import User, user_by_username
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.platform.errors import InvalidValue, NotAllowed
from engine.workflow import step_context
from engine.workflow.runtime import Engine

MAY_RESCHEDULE = ("business_support", "team_manager", "conference_chair")


def may_reschedule(user: User, conference: Conference) -> bool:
    open_booking = conference.scheduled_on is not None and conference.held_on is None
    return open_booking and any(user.has_role(r) for r in MAY_RESCHEDULE)


def reschedule(
    session: Session,
    engine: Engine,
    actor: User,
    conference_id: int,
    *,
    on: date,
    at: str,
    venue: str,
    chair: str,
    reason: str,
) -> Conference:
    conference = fetch(session, Conference, conference_id, "There is no such conference.")
    if conference.held_on is not None:
        raise NotAllowed("This conference has been held, so it cannot be moved.")
    if not may_reschedule(actor, conference):
        raise NotAllowed("Only business support, a team manager or the chair can move it.")
    new_chair = user_by_username(session, chair)
    if new_chair is None or not new_chair.has_role("conference_chair"):
        raise InvalidValue({"chair": "Select the independent chair"})
    if on < engine.clock.today():
        raise InvalidValue({"conference_date": "Date of the conference must be in the future"})
    if not (reason or "").strip():
        raise InvalidValue({"reason": "Enter why the conference is moved"})
    old = _booking(session, conference)

    # A family conference moves as one: every child's row and workflow, each child's own
    # due date deciding whether the move needs its reason.
    members = [m for m in group_conferences(session, conference.group_id) if m.held_on is None] or [
        conference
    ]

    def apply() -> None:
        now = engine.clock.now()
        # The reports' new due date, as the diagram worked it out from the new day (one
        # family conference is of one kind, so the first child's holds for every child).
        report_due = step_context.current().data.get("report_due_date")
        for member in members:
            old_chair_id = member.chair_id
            member.scheduled_on, member.scheduled_time = on, at
            member.venue, member.chair_id = venue, new_chair.id
            if date_checks.booking_reason_needed(on, member.due_on):
                member.booking_reason = reason.strip()
            _pass_chair_steps(session, member.instance_id, old_chair_id, new_chair.id)
            for report in reports_for(session, member.id):
                if report.kind == "agency" and report.submitted_on is None:
                    report.due_on = workdays.as_date(report_due) if report_due else on
            # re-sent to those invited; a child whose invitations are still to go gets none yet
            if invitations_for(session, member.id):
                for kind in ("invitation", "agenda"):
                    sending.send_document(member.id, kind, day_in_england(now))
            audit.record(
                session,
                actor,
                "conference.rescheduled",
                now,
                instance_id=member.instance_id,
                child_id=member.child_id,
                conference_id=member.id,
                old=old,
                new=_booking(session, member),
                reason=reason.strip(),
            )

    changes = {"conference_date": on.isoformat(), "conference_time": at}
    engine.change_data(
        session,
        [m.instance_id for m in members],
        actor,
        {**changes, "venue": venue, "chair": new_chair.username},
        then=apply,
    )
    return conference


def _booking(session: Session, conference: Conference) -> dict:
    chair = session.get(User, conference.chair_id) if conference.chair_id else None
    return {
        "date": conference.scheduled_on.isoformat() if conference.scheduled_on else None,
        "time": conference.scheduled_time,
        "venue": conference.venue,
        "chair": chair.display_name if chair else None,
    }


def _pass_chair_steps(session: Session, instance_id: int, old_id, new_id: int) -> None:
    """The old chair's open steps on this conference (pre-contact, requests, holding it)."""
    if old_id is None or old_id == new_id:
        return
    query = select(HumanTask).where(
        HumanTask.instance_id == instance_id,
        HumanTask.state == READY,
        HumanTask.assignee_id == old_id,
    )
    for task in session.scalars(query):
        task.assignee_id = new_id
