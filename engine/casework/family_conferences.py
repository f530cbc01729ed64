"""Family conferences: brothers and sisters linked on their records and seen at one meeting.

Each child keeps their own conference row and workflow, so their statutory dates, timers,
decision, category, plan and confidentiality stay their own. A conference group joins the
rows of one meeting: booking any of them books them all (and moving one moves them all, see
`rescheduling`), and the "by conference" figures count the group once. Siblings are linked
by a person, never guessed from a surname; a conference joins a sibling's only while neither
has been held, and only a conference of the same sort (initial with initial, review with
review). Each command is one transaction and is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import access
from engine.casework import attendance, date_checks, family_steps, previous_invitees
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import (
    ICPC,
    PRE_BIRTH,
    RCPC,
    TRANSFER_IN,
    Conference,
    invitations_for,
)
from engine.models.families import (
    ConferenceGroup,
    Family,
    group_conferences,
    open_sibling_conferences,
    siblings_of,
)
from engine.models.people import Child, User
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue, NotAllowed, NotFound
from engine.workflow import shared_steps, step_context
from engine.workflow.runtime import Engine

MAY_LINK = ("social_worker", "team_manager", "service_manager", "business_support")
# Conferences that may meet together: the initial sorts with each other, reviews with reviews.
SORTS = {ICPC: "initial", PRE_BIRTH: "initial", TRANSFER_IN: "initial", RCPC: "review"}
BOOKING = ("scheduled_on", "scheduled_time", "venue", "chair_id")


def _may(actor: User) -> None:
    if not may_link(actor):
        raise NotAllowed("Only a social worker, a manager or business support can do this.")


def _seen(session: Session, actor: User, model, key):
    """A child or conference the actor may see; one they may not is as if there were none."""
    row = fetch(session, model, key, f"There is no such {model.__name__.lower()}.")
    child_id = row.id if model is Child else row.child_id
    if not access.can_view_child(session, actor, child_id):
        raise NotFound(f"There is no such {model.__name__.lower()}.")
    return row


def link_siblings(session: Session, actor: User, now: datetime, child_id: int, sibling_id: int):
    """Record two children as brothers or sisters: one family, joined if each had one."""
    _may(actor)
    child, sibling = (_seen(session, actor, Child, i) for i in (child_id, sibling_id))
    if child.id == sibling.id:
        raise InvalidValue({"sibling": "Select a brother or sister, not the child themself"})
    with transaction(session):
        family_id = child.family_id or sibling.family_id
        if family_id is None:
            family = Family(name=child.family_name, created_at=now)
            session.add(family)
            session.flush()
            family_id = family.id
        for moved in (c for c in (child, sibling) if c.family_id not in (None, family_id)):
            old = moved.family_id
            for member in session.scalars(select(Child).where(Child.family_id == old)):
                member.family_id = family_id
        child.family_id = sibling.family_id = family_id
        for one, other in ((child, sibling), (sibling, child)):
            audit.record(
                session,
                actor,
                "child.sibling_linked",
                now,
                child_id=one.id,
                sibling=other.reference,
            )
    return family_id


def _booking(conference: Conference) -> tuple:
    return tuple(getattr(conference, name) for name in BOOKING)


def join(
    session: Session,
    engine: Engine,
    actor: User,
    conference_id: int,
    sibling_conference_id: int,
    reason: str | None = None,
) -> ConferenceGroup:
    """Join a child's conference to a brother's or sister's: one family conference.

    A conference joining a booked one takes its booking: the joining child's own "Book the
    conference" is done with it, in this transaction, by the person joining them; its due
    date stays its own, and a booking after it needs the reason, kept as the late reason's
    first draft."""
    _may(actor)
    conference, other = (
        _seen(session, actor, Conference, i) for i in (conference_id, sibling_conference_id)
    )
    child = session.get(Child, conference.child_id)
    sibling = session.get(Child, other.child_id)
    if child.family_id is None or child.family_id != sibling.family_id or child.id == sibling.id:
        raise InvalidValue(
            {"sibling_conference": f"{sibling.full_name} is not recorded as a brother or sister"}
        )
    if conference.held_on is not None or other.held_on is not None:
        raise InvalidValue({"sibling_conference": "A conference already held cannot be joined"})
    if SORTS.get(conference.kind) != SORTS.get(other.kind):
        raise InvalidValue(
            {"sibling_conference": f"A {conference.kind_label.lower()} cannot join a "
             f"{other.kind_label.lower()}"}
        )  # fmt: skip
    if conference.group_id is not None:
        raise InvalidValue({"sibling_conference": "This conference is already a family one"})
    booked = other.booked_at is not None
    if conference.booked_at is not None and not booked:
        raise InvalidValue(
            {"sibling_conference": "This conference is booked and that one is not: join that "
             "one to this one from its page instead"}
        )  # fmt: skip
    if conference.booked_at is not None and _booking(conference) != _booking(other):
        raise InvalidValue(
            {"sibling_conference": "Both are booked for different times: move one conference "
             "to the other's date, time, venue and chair first"}
        )  # fmt: skip
    needed = booked and date_checks.booking_reason_needed(other.scheduled_on, conference.due_on)
    if needed and not (reason or "").strip():
        raise InvalidValue({"booking_reason": f"{needed}: say why it is booked for then"})
    now = engine.clock.now()
    made: list[ConferenceGroup] = []

    def apply() -> None:
        group_id = other.group_id
        if group_id is None:
            group = ConferenceGroup(
                family_id=child.family_id, created_by_id=actor.id, created_at=now
            )
            session.add(group)
            session.flush()
            other.group_id = group_id = group.id
        conference.group_id = group_id
        made.append(session.get(ConferenceGroup, group_id))
        if booked:
            for name in BOOKING:
                setattr(conference, name, getattr(other, name))
            conference.booked_at = conference.booked_at or now
            conference.booking_reason = reason.strip() if needed else None
        audit.record(
            session,
            actor,
            "conference.joined",
            now,
            instance_id=conference.instance_id,
            child_id=conference.child_id,
            conference_id=conference.id,
            group_id=group_id,
            with_child=sibling.reference,
        )

    if booked and conference.booked_at is None:
        step = family_steps.booking(session, other, conference, reason if needed else "")
        steps = [step]
        sent = family_steps.invitations_sent(session, other.group_id) or (
            other if invitations_for(session, other.id) else None
        )
        if sent is not None:  # and the family's invitations went out: so do this child's
            steps.append(family_steps.invitations(session, sent, conference, engine.clock.today()))
        if shared_steps.waiting(session, conference.instance_id, "book_conference"):
            engine.complete_shared(session, actor, steps, then=apply)
        else:  # not waiting: the workflow learns the booking (one on hold is refused)
            engine.change_data(session, [conference.instance_id], actor, step.data, then=apply)
    else:
        with transaction(session):
            apply()
    return made[0]


def book_group(session: Session, row: Conference, reason: str | None, now: datetime) -> None:
    """Called as a conference is booked: its brothers' and sisters' conferences in the group
    not yet booked take the same booking, and their own "Book the conference" is done with
    it in this step's transaction; one booked for another time is refused (move it)."""
    context = step_context.current()
    for member in group_conferences(session, row.group_id):
        if member.id == row.id or member.held_on is not None:
            continue
        if member.booked_at is not None:
            if _booking(member) != _booking(row):
                raise InvalidValue(
                    {"conference_date": "This family conference is already booked for "
                     f"{date_checks.in_words(member.scheduled_on)}: book the same date, time, "
                     "venue and chair, or move the conference"}
                )  # fmt: skip
            # booked with it already (it joined this one): its step may still be waiting
            context.complete_too(family_steps.booking(session, row, member, member.booking_reason))
            continue
        date_checks.check_booking(row.scheduled_on, member.due_on, reason)
        for name in BOOKING:
            setattr(member, name, getattr(row, name))
        member.booked_at = now
        needed = date_checks.booking_reason_needed(row.scheduled_on, member.due_on)
        member.booking_reason = reason.strip() if needed else None
        context.complete_too(family_steps.booking(session, row, member, member.booking_reason))


def may_link(user: User) -> bool:
    return any(user.has_role(role) for role in MAY_LINK)


def visible_siblings(session: Session, user: User, child: Child) -> list[Child]:
    """The child's brothers and sisters this person may see: a sibling's record is its own."""
    return [s for s in siblings_of(session, child) if access.can_view_child(session, user, s.id)]


@dataclass(frozen=True)
class FamilyPage:
    """What a conference page shows of its family conference, for one reader: the children
    it is for that they may see (each with their own conference and decision), and the
    sibling conferences it may join."""

    members: list[tuple[Child, Conference]]
    joinable: list[tuple[Child, Conference]]


def for_page(session: Session, user: User, conference: Conference) -> FamilyPage:
    members = [
        (session.get(Child, row.child_id), row)
        for row in group_conferences(session, conference.group_id)
        if access.can_view_child(session, user, row.child_id)
    ]
    joinable = []
    if conference.group_id is None and conference.held_on is None and may_link(user):
        child = session.get(Child, conference.child_id)
        joinable = [
            (session.get(Child, row.child_id), row)
            for row in open_sibling_conferences(session, child)
            if SORTS.get(row.kind) == SORTS.get(conference.kind)
            and access.can_view_child(session, user, row.child_id)
        ]
    return FamilyPage(members, joinable)


# The steps whose form starts from the family's record, and what each starts from.
_FRESH = {
    "send_invitations": lambda session, row: {
        "family": previous_invitees.previous_family(row.id, session),
        "agencies": previous_invitees.previous_agencies(row.id, session),
    },
    "hold_conference": lambda session, row: {"attendance": attendance.rows_for(session, row)},
    "hold_review": lambda session, row: {"attendance": attendance.rows_for(session, row)},
}


def form_start(session: Session, task_spec: str, data: dict) -> dict:
    """What a step's form opens with, brought up to date with the family conference: a
    sibling's invitations or attendance recorded after this step became ready is what the
    form starts from, so nothing is typed twice. Other steps' data is returned as it is."""
    fresh, conference_id = _FRESH.get(task_spec), data.get("conference_id")
    row = session.get(Conference, conference_id) if fresh and conference_id else None
    if row is None or row.group_id is None:
        return data
    started = fresh(session, row)
    return {**data, **{k: v for k, v in started.items() if v}}
