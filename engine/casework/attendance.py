"""Who came to a conference, and whether it was quorate, counted from who came.

The chair records, for each person invited, how they took part; children's social care is
one answer of its own (its social worker is not an invitation). The quorum is children's
social care plus at least two other agencies attending (Working Together 2023): it is counted
here, never ticked, and a chair who goes ahead without it must say why.
"""

from __future__ import annotations

from engine.documents import document_data
from engine.models.conferences import (
    AGENCIES,
    ATTENDANCE,
    ATTENDED,
    FAMILY_ONLY,
    Conference,
    Invitation,
    invitations_for,
)
from engine.models.families import group_conferences
from engine.platform.errors import InvalidValue
from engine.workflow import step_context

SOCIAL_CARE = "children_social_care"
OTHER_AGENCIES_NEEDED = 2


def _same(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def invitees(conference_id) -> list[dict]:
    """The chair's attendance rows, one per person invited, for the form to start from.

    At a family conference the attendance is recorded once: when a brother's or sister's
    conference in the group was recorded as held, each row starts from how the same person
    took part there, and the chair only confirms it."""
    session = step_context.current().session
    this = session.get(Conference, int(conference_id))
    # Read once in the step: the step that sent the invitations read them already.
    return rows_for(session, this, document_data.invitations(session, this.id))


def rows_for(session, this: Conference, invitations: list | None = None) -> list[dict]:
    """`invitees` outside a diagram step: a chair opening the form after a brother's or
    sister's conference was recorded starts from that record (`family_conferences`).
    `invitations`: the conference's, when already read."""
    known = _family_attendance(session, this)
    rows = []
    if invitations is None:
        invitations = invitations_for(session, this.id)
    for i in invitations:
        row = {"name": i.label}
        seen = known.get(_same(i.label))
        if seen is not None and seen.attendance:
            row["attendance"] = seen.attendance
            row["core_group"] = bool(seen.core_group)
        rows.append(row)
    return rows


def _family_attendance(session, row: Conference) -> dict[str, Invitation]:
    """How each person took part at a family conference, as the chair recorded it for a
    brother's or sister's conference in the group already recorded as held (by label)."""
    known: dict[str, Invitation] = {}
    for member in group_conferences(session, row.group_id):
        if member.id != row.id and member.held_on is not None:
            for i in invitations_for(session, member.id):
                if i.attendance:
                    known.setdefault(_same(i.label), i)
    return known


def agencies_present(invitations: list[Invitation]) -> list[str]:
    """The agencies (codes) with someone there in person, in the order they were invited."""
    present: list[str] = []
    for i in invitations:
        agency = i.person.relationship_or_agency
        if i.role == "professional" and i.attendance == ATTENDED and agency not in present:
            present.append(agency)
    return present


def is_quorate(social_care_attended: bool, agencies: list[str]) -> bool:
    others = [a for a in agencies if a != SOCIAL_CARE]
    return bool(social_care_attended) and len(others) >= OTHER_AGENCIES_NEEDED


def record(session, row: Conference, answers: dict) -> None:
    """Each invitee's attendance from the chair's rows, then the quorum and its reason.

    A row names an invitee as the form showed them ("Robin Hall (Police)") or by their name
    alone where that is unique; every invitee needs a row, and no one else may have one.
    At a family conference attendance is recorded once: a person left without an answer
    takes how they took part as recorded for a brother's or sister's conference in the group.
    """
    invitations = invitations_for(session, row.id)
    known = _family_attendance(session, row)
    rows = answers.get("attendance") or []
    chosen: dict[int, str] = {}
    for item in rows:
        invitation = _invitation_named(invitations, item.get("name", ""), chosen)
        seen = known.get(_same(invitation.label))
        how = item.get("attendance") or (seen.attendance if seen is not None else None)
        if how not in ATTENDANCE:
            raise InvalidValue({"attendance": f"Choose how {invitation.label} took part."})
        if how in FAMILY_ONLY and not invitation.family:
            raise InvalidValue(
                {
                    "attendance": f"{invitation.label} is not a parent or the child: choose "
                    "attended, sent apologies or did not attend."
                }
            )
        chosen[invitation.id] = how
        invitation.core_group = bool(item.get("core_group"))
    for invitation in invitations:
        seen = known.get(_same(invitation.label))
        if invitation.id not in chosen and seen is not None:
            chosen[invitation.id] = seen.attendance
            invitation.core_group = bool(seen.core_group)
    missing = [i.label for i in invitations if i.id not in chosen]
    if missing:
        raise InvalidValue({"attendance": f"Record whether {missing[0]} attended."})
    for invitation in invitations:
        invitation.attendance = chosen[invitation.id]
        invitation.attended = chosen[invitation.id] == ATTENDED
    social_care = bool(answers.get("social_care_attended"))
    present = ([SOCIAL_CARE] if social_care else []) + agencies_present(invitations)
    row.agencies_attended = ", ".join(present) or None
    row.quorate = is_quorate(social_care, present)
    reason = (answers.get("quorum_reason") or "").strip()
    if not row.quorate and not reason:
        raise InvalidValue({"quorum_reason": _not_quorate(present)})
    row.quorum_reason = None if row.quorate else reason


def _invitation_named(invitations: list[Invitation], name: str, chosen: dict) -> Invitation:
    wanted = _same(name)
    for invitation in invitations:
        if _same(invitation.label) == wanted and invitation.id not in chosen:
            return invitation
    by_name = [i for i in invitations if _same(i.person.name) == wanted and i.id not in chosen]
    if len(by_name) == 1:
        return by_name[0]
    if not wanted:
        raise InvalidValue({"attendance": "Each attendance row needs the person's name."})
    raise InvalidValue(
        {"attendance": f"{name} was not invited to this conference, or has a row already."}
    )


def _not_quorate(present: list[str]) -> str:
    came = ", ".join(AGENCIES.get(a, a) for a in present) or "no agency"
    return (
        "The conference is not quorate: it needs children's social care and at least two "
        f"other agencies, and {came} attended. Give the reason the chair went ahead"
    )


FUNCTIONS = {"invitees": invitees}
