"""A family conference's documents: one agenda, one set of letters and one set of minutes.

Brothers and sisters seen at one meeting (a conference group) keep their own conference rows,
decisions and records; their agenda, invitation letters, decision letter and minutes are one
document for the family, with a part for each child (that child's reports, decision, category
and plan, gathered by `document_data.compose` as for a child's own document). Everyone
invited is listed once, however many of the children they are invited for: the same name in
the same role on each child's record is one person. Each reader's copy is made from this data
by `document_redaction.for_family_reader`, so what is withheld from them for any of the
children is in none of it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from engine.documents import document_data
from engine.models.conferences import Conference, invitations_for
from engine.models.families import group_conferences

# The documents of the meeting; the child protection plan stays each child's own.
FAMILY_KINDS = frozenset(
    {
        document_data.AGENDA,
        document_data.INVITATION,
        document_data.DECISION_LETTER,
        document_data.MINUTES,
    }
)
# The meeting's papers, sent with the first child's invitations: they cover every booked
# child, a brother's or sister's invitations still to come (`merged_invitations`).
MEETING_KINDS = frozenset({document_data.AGENDA, document_data.INVITATION})


# What the children's conferences share, as they are one meeting: the rest is each child's.
MEETING = (
    "kind", "label", "is_review", "scheduled_on", "scheduled_time", "venue", "chair",
    "reports_by", "held_on", "quorate", "quorum_reason", "agencies_attended",
)  # fmt: skip


def is_family(conference: Conference, kind: str) -> bool:
    return conference.group_id is not None and str(kind) in FAMILY_KINDS


def identity(invitation: dict) -> str:
    """One person across the children's records: their name and role, as the family's
    invitations are copied from one child's form to the next."""
    name = " ".join(invitation["name"].split()).lower()
    return f"{name}|{(invitation['relationship'] or invitation['role'] or '').lower()}"


def members(session: Session, conference: Conference, kind: str) -> list[tuple[Conference, list]]:
    """The group's conferences the document can cover now, each with its invitations read
    once. The meeting's papers cover every booked child (a sibling's invitations may follow);
    the decision letter and minutes only the children whose conference was held."""
    found = []
    for row in group_conferences(session, conference.group_id):
        if kind in MEETING_KINDS and row.scheduled_on is None:
            continue
        invitations = invitations_for(session, row.id)
        has_invitations = bool(invitations) or kind in MEETING_KINDS
        if kind in document_data.available(row, has_invitations):
            found.append((row, invitations))
    return found


def compose(session: Session, rows: list[tuple[Conference, list]], kind: str, today: date):
    """The family document's data: the meeting, everyone invited once, a part per child."""
    parts = []
    for row, invitations in rows:
        part = _part(session, row, invitations, kind, today)
        parts.append({**part, "child_id": row.child_id})
    lead = parts[0]
    data = {
        "kind": lead["kind"],
        "title": lead["title"],
        "generated_on": today,
        "council": lead["council"],
        "family": True,
        "child": lead["child"],
        "conference": {key: lead["conference"][key] for key in MEETING},
        "invitations": merged_invitations(parts, kind in MEETING_KINDS),
        "children": parts,
        "plan": None,
        "decisions": [],
    }
    return joined(data)


def _part(session: Session, row: Conference, invitations: list, kind: str, today: date) -> dict:
    if kind == document_data.INVITATION and not invitations:
        # A sibling whose own invitations are still to be sent: their part of the letters
        # has their reports and exclusions, and no one is invited on their record yet.
        agenda = document_data.compose(session, row, invitations, document_data.AGENDA, today)
        return {**agenda, "kind": kind, "title": document_data.TITLES[kind]}
    return document_data.compose(session, row, invitations, kind, today)


def merged_invitations(parts: list[dict], anticipate: bool = False) -> list[dict]:
    """Everyone invited for any of the children, once each, in the order first invited,
    with their row on each child's record (`people`) and the children they are invited for
    (`invited_for`). The meeting's letters go out with the first child's invitations, before
    a brother's or sister's are sent from a form that starts from them (`anticipate`): the
    children with none yet are taken as invited for by everyone, so no one gets a second
    letter when theirs follow."""
    merged: dict[str, dict] = {}
    for part in parts:
        for invitation in part["invitations"]:
            key = identity(invitation)
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = {**invitation, "people": [], "invited_for": []}
            elif not entry["address"]:
                entry["address"] = invitation["address"]
            entry["attendance"] = entry["attendance"] or invitation["attendance"]
            entry["apologies"] = entry["apologies"] or invitation["apologies"]
            entry["people"].append(
                {"child_id": part["child_id"], "person_id": invitation["person_id"]}
            )
            entry["invited_for"].append({"child_id": part["child_id"], "name": _name(part)})
    waiting = [
        {"child_id": part["child_id"], "name": _name(part)}
        for part in parts
        if anticipate and not part["invitations"]
    ]
    return [
        addressed({**entry, "invited_for": entry["invited_for"] + waiting})
        for entry in merged.values()
    ]


def _name(part: dict) -> str:
    return part["child"]["name"]


def addressed(entry: dict) -> dict:
    """The person's letter names the children they are invited for (in this copy)."""
    children = [child["name"] for child in entry["invited_for"]]
    about = children[0] if len(children) == 1 else f"{', '.join(children[:-1])} and {children[-1]}"
    return {
        **entry,
        "about": about,
        "many": len(children) > 1,
        "person_ids": [p["person_id"] for p in entry["people"]],
    }


def joined(data: dict) -> dict:
    """The parts' exclusions and reports at the top too, as the letters read them (each
    person's exclusion and report due date), from the parts this copy keeps."""
    parts = data["children"]
    return {
        **data,
        "exclusions": [e for part in parts for e in part["exclusions"]],
        "reports": [r for part in parts for r in part["reports"]],
    }
