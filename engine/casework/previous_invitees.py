"""A review's invitations start from the last conference's, so no one types them twice.

The review's "Send the invitations" form opens with the family and the agencies invited to
the child's last held conference (a diagram pre-script); business support changes what has
changed and sends. A family conference's form opens with those a brother's or sister's
invitations went to, so the meeting's invitations are typed once.
"""

from __future__ import annotations

from engine.models.child_conferences import held_on_by_conference
from engine.models.conferences import Conference, invitations_for
from engine.models.families import group_conferences
from engine.models.people import User
from engine.workflow import step_context


def _last_held(conference_id, session=None) -> Conference | None:
    """Where the invitations start from: a family conference's, once a brother's or sister's
    went out (one set of invitations for the meeting), else the child's last held one's."""
    session = session or step_context.current().session
    this = session.get(Conference, int(conference_id))
    for member in group_conferences(session, this.group_id):
        if member.id != this.id and invitations_for(session, member.id):
            return member
    held = held_on_by_conference(session, this.child_id)
    last = max(held, key=lambda i: (held[i], i), default=None)
    return session.get(Conference, last) if last is not None else None


def previous_family(conference_id, session=None) -> list[dict]:
    session = session or step_context.current().session
    return family_invited(session, _last_held(conference_id, session))


def previous_agencies(conference_id, session=None) -> list[dict]:
    session = session or step_context.current().session
    return agencies_invited(session, _last_held(conference_id, session))


def family_invited(session, conference: Conference | None) -> list[dict]:
    """The family invited to a conference, by name and relationship only: what one child's
    record holds of them (an address, needs) is never copied to another's."""
    if conference is None:
        return []
    return [
        {"name": i.person.name, "relationship": i.person.relationship_or_agency}
        for i in invitations_for(session, conference.id)
        if i.role == "parent"
    ]


def agencies_invited(session, conference: Conference | None) -> list[dict]:
    """The professionals invited to a conference, as the invitations form names them."""
    if conference is None:
        return []
    found = []
    for i in invitations_for(session, conference.id):
        if i.role != "professional":
            continue
        row = {"agency": i.person.relationship_or_agency, "name": i.person.name}
        if i.person.email:
            row["email"] = i.person.email
        user = session.get(User, i.person.user_id) if i.person.user_id else None
        if user is not None:
            row["username"] = user.username
        found.append(row)
    return found


FUNCTIONS = {f.__name__: f for f in (previous_family, previous_agencies)}
