"""What is read across one child's conferences: their dates, requests, reports, and the
people on the child's record (a case summary, a timeline, what is withheld from a reader).

The tables are `engine.models.conferences`'s; these queries ask by child, not by conference,
and are kept apart from it to keep each module small.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.util import identity_key

from engine.models import session_memo
from engine.models.conferences import CasePerson, Conference, ConferenceRequest, Invitation, Report


def held_on_by_conference(session: Session, child_id: int) -> dict[int, date]:
    """The day each of the child's conferences was held, by id, as the session holds them: a
    conference it holds gives its own `held_on` (a change not flushed included), as rows read
    as objects would. The dates are read once in a transaction while it writes no conference."""
    rows = session_memo.remembered(
        session,
        frozenset({"conferences"}),
        ("held_on", child_id),
        lambda: session.execute(_HELD_ON, {"child_id": child_id}).all(),
    )
    held = {}
    for conference_id, held_on in rows:
        kept = session.identity_map.get(identity_key(Conference, conference_id))
        if kept is not None and "held_on" in kept.__dict__:
            held_on = kept.held_on
        if held_on is not None:
            held[conference_id] = held_on
    return held


_HELD_ON = select(Conference.id, Conference.held_on).where(
    Conference.child_id == bindparam("child_id")
)


def conferences_for_child(session: Session, child_id: int) -> list[Conference]:
    query = (
        select(Conference)
        .where(Conference.child_id == child_id)
        .options(joinedload(Conference.chair))
        .order_by(Conference.due_on, Conference.id)
    )
    return list(session.scalars(query))


def requests_for_child(session: Session, child_id: int) -> list[ConferenceRequest]:
    """Every request about this child's conferences, decided or not, oldest first."""
    query = (
        select(ConferenceRequest)
        .join(Conference, Conference.id == ConferenceRequest.conference_id)
        .where(Conference.child_id == child_id)
        .order_by(ConferenceRequest.id)
    )
    return list(session.scalars(query))


def people_for_child(session: Session, child_id: int) -> list[CasePerson]:
    query = select(CasePerson).where(CasePerson.child_id == child_id)
    return list(session.scalars(query.order_by(CasePerson.kind, CasePerson.name)))


def reports_for_child(session: Session, child_id: int) -> list[Report]:
    query = (
        select(Report)
        .join(Conference, Conference.id == Report.conference_id)
        .where(Conference.child_id == child_id)
    )
    return list(session.scalars(query.order_by(Report.submitted_on, Report.id)))


def invited_conference_ids(session: Session, child_id: int, user_id: int) -> set[int]:
    """The child's conferences this person (an agency professional's account) is invited to."""
    query = (
        select(Invitation.conference_id)
        .join(CasePerson, CasePerson.id == Invitation.person_id)
        .where(CasePerson.child_id == child_id, CasePerson.user_id == user_id)
    )
    return set(session.scalars(query))


def person_ids_of_account(session: Session, child_id: int, user_id: int) -> list[int]:
    """The people on this child's record who are this account (an invited professional)."""
    query = select(CasePerson.id).where(
        CasePerson.child_id == child_id, CasePerson.user_id == user_id
    )
    return list(session.scalars(query))
