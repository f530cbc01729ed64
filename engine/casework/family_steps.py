"""The steps of a brother's or sister's workflow done once for their family conference.

Each child keeps their own workflow, but a family conference has one booking and one set of
invitations: once the family's is done, each sibling's own "Book the conference" and "Send
the invitations and ask for reports" is completed with it in the same transaction, by the
person who did it, through the engine's own completion (`workflow.shared_steps`), so the
sibling's records, report requests and timers follow as if staff had done it. The chair
contacts the parents once too: the first child's "Contact the parents" does the others'
(a request the chair raised there stays on that child's record; one for a brother or sister
is raised on their conference page). The conference itself stays per child: it holds each
child's decision, category and plan (its form starts from the family's attendance).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.casework import previous_invitees
from engine.models.conferences import Conference, invitations_for
from engine.models.families import group_conferences
from engine.models.people import Child, User
from engine.workflow import step_context
from engine.workflow.shared_steps import SharedStep, ready_row

SHARED = "family conference"  # what the audit of a step done for the family says was shared


def _source(session: Session, conference: Conference, task: str) -> dict:
    child = session.get(Child, conference.child_id)
    return {"child": child.reference, "task": task, "conference_id": conference.id}


def booking(session: Session, booked: Conference, member: Conference, reason) -> SharedStep:
    """A sibling's "Book the conference", done with the family's booking: the same date,
    time, venue and chair, and the reason when it is after their own due date."""
    chair = session.get(User, booked.chair_id) if booked.chair_id else None
    data = {
        "conference_date": booked.scheduled_on.isoformat(),
        "conference_time": booked.scheduled_time,
        "venue": booked.venue,
        "chair": chair.username if chair else None,
        "booking_reason": (reason or "").strip(),
    }
    source = _source(session, booked, "book_conference")
    return SharedStep(member.instance_id, "book_conference", data, SHARED, source)


def invitations(session: Session, sent: Conference, member: Conference, on: date) -> SharedStep:
    """A sibling's "Send the invitations and ask for reports", done with the family's: the
    family (by name and relationship only) and the agencies the family's went to, each
    agency asked for its report on this child. The child's own invitation and the parents'
    own report are the family's, asked for on the child whose invitations went first."""
    data = {
        "invitations_sent_date": on.isoformat(),
        "family": previous_invitees.family_invited(session, sent),
        "agencies": previous_invitees.agencies_invited(session, sent),
        "child_invited": False,
        "advocate": None,
        "parent_report_expected": False,
    }
    source = _source(session, sent, "send_invitations")
    return SharedStep(member.instance_id, "send_invitations", data, SHARED, source)


def share_pre_contact(conference_id) -> None:
    """A diagram's "Contact the parents before the conference" post-script: the siblings'
    own pre-contact, where it is waiting, is done with this one's date and how it was made."""
    context = step_context.current()
    row = context.session.get(Conference, int(conference_id))
    if row is None or row.group_id is None:
        return
    data = {
        "pre_contact_date": context.data.get("pre_contact_date"),
        "pre_contact_method": context.data.get("pre_contact_method"),
        "chair_requests": [],
    }
    source = _source(context.session, row, "chair_pre_contact")
    for member in group_conferences(context.session, row.group_id):
        if member.id == row.id or member.held_on is not None:
            continue
        step = SharedStep(member.instance_id, "chair_pre_contact", data, SHARED, source)
        context.complete_too(step)


def invitations_sent(session: Session, group_id: int | None) -> Conference | None:
    """The family conference's member whose invitations went out first, if any did."""
    for member in group_conferences(session, group_id):
        if invitations_for(session, member.id):
            return member
    return None


def share_invitations(row: Conference, sent_on: date) -> None:
    """Called as a conference's invitations are recorded in its step: the siblings' own
    invitations step, where it is waiting, is done with them once this step is."""
    context = step_context.current()
    for member in group_conferences(context.session, row.group_id):
        if member.id == row.id or member.held_on is not None:
            continue
        if ready_row(context.session, member.instance_id, "send_invitations") is not None:
            context.complete_too(invitations(context.session, row, member, sent_on))


FUNCTIONS = {"share_pre_contact": share_pre_contact}
