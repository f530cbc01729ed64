"""A document's data as one reader may read it: the one place a document is redacted.

Every PDF and Word file, downloaded by staff or sent to a person (a copy posted or behind a
link), is rendered from the dictionary `for_reader` returns, never from the gathered data as
it stands. What is withheld from the reader is taken out of the data before any template sees
it: a report or uploaded file withheld from them is left out; a contact field withheld from
them is blank; and the withheld text (an address, a phone number, a passage) is taken out of
every string wherever it appears, as a safety plan or a report may quote it. A family
member's copy, and the child's advocate's, has no record of the chair's decisions (their
reasons are for the staff), and a copy sent to a person has only the letter addressed to them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import access, withheld_text, withholding
from engine.access.withholding import Reader
from engine.documents import conference_reads, family_documents
from engine.models.conferences import CasePerson
from engine.models.withholding import is_non_professional

FILE_KEY = ("report_file", "file")


def for_reader(session: Session, reader: Reader, child_id: int, data: dict) -> dict:
    """A copy of the document's data with everything withheld from this reader taken out."""
    if data.get("family"):
        return for_family_reader(session, reader, data)
    hidden = withholding.hidden_keys(session, reader, child_id)
    return _redacted(data, hidden, withholding.values_of(session, hidden), _family_member(reader))


def _family_member(reader: Reader) -> bool:
    """A family member or the child's advocate (`NON_PROFESSIONALS`): no decisions for them."""
    return isinstance(reader, CasePerson) and is_non_professional(reader)


def _redacted(data: dict, hidden: set[tuple], values: list[str], family_member: bool) -> dict:
    # A new dictionary, new lists and new entries wherever this changes anything; the rest
    # is shared with `data`, never changed (a deep copy per recipient was most of a sending
    # step's cost). Nobody changes a reader's copy after this: it is rendered or fingerprinted.
    data = {**data, "invitations": [dict(i) for i in data["invitations"]]}
    data["reports"] = [
        _report(report, hidden)
        for report in data["reports"]
        if ("report", report["id"], "summary") not in hidden
    ]
    for invitation in data["invitations"]:
        if ("person", invitation["person_id"], "address") in hidden:
            invitation["address"] = None
    if family_member:
        data["decisions"] = []
    return _scrubbed(data, values)


def for_family_reader(session: Session, reader: Reader, data: dict) -> dict:
    """A family conference's document as one reader may read it: only the parts of the
    children they may read about (a person: the children they are invited for; an account:
    the children whose records it may see), and whatever is withheld from them in ANY of
    those children's records taken out of every part, the list of those invited included."""
    readers = _readers(session, reader, data)
    hidden: set[tuple] = set()
    for child_id, as_reader in readers.items():
        hidden |= withholding.hidden_keys(session, as_reader, child_id)
    values = withholding.values_of(session, hidden)
    family_member = _family_member(reader)
    parts = [
        _redacted(part, hidden, values, family_member)
        for part in data["children"]
        if part["child_id"] in readers
    ]
    invitations = []
    for invitation in data["invitations"]:
        people = [p for p in invitation["people"] if p["child_id"] in readers]
        if not people:
            continue  # invited only for a child this reader does not read about
        invited_for = invitation["invited_for"]
        if not isinstance(reader, CasePerson):  # an account: the children it may see
            invited_for = [c for c in invited_for if c["child_id"] in readers]
        invitation = family_documents.addressed(
            {**invitation, "people": people, "invited_for": invited_for}
        )
        if any(("person", p["person_id"], "address") in hidden for p in invitation["people"]):
            invitation["address"] = None
        invitations.append(invitation)
    first = parts[0] if parts else None
    data = {
        **data,
        "children": parts,
        "invitations": invitations,
        "child": first["child"] if first else data["child"],
        "exclusions": [e for part in parts for e in part["exclusions"]],
        "reports": [r for part in parts for r in part["reports"]],
    }
    return _scrubbed(data, values)


def _readers(session: Session, reader: Reader, data: dict) -> dict[int, Reader]:
    """Who the reader is on each child's record they may read about: a person invited is
    their own row on each child's record they are invited for; an account is itself."""
    if isinstance(reader, CasePerson):
        for invitation in data["invitations"]:
            rows = {p["person_id"]: p["child_id"] for p in invitation["people"]}
            if reader.id in rows:
                return {
                    child_id: session.get(CasePerson, person_id)
                    for person_id, child_id in rows.items()
                }
        return {reader.child_id: reader}
    return {
        part["child_id"]: reader
        for part in data["children"]
        if access.can_view_child(session, reader, part["child_id"])
    }


def for_recipient(session: Session, person: CasePerson, child_id: int, data: dict) -> dict:
    """The copy sent to one person invited: redacted for them, with only their own letter
    (a letter is addressed to them even when their address is withheld from others)."""
    return _own_letter(person, for_reader(session, person, child_id, data))


def for_posting(
    session: Session, person: CasePerson, child_id: int, data: dict, poster: Reader
) -> dict:
    """The copy sent to one person (`for_recipient`) as the member of staff who prints it to
    post may read it: also less what is withheld from the poster, who reads every word
    printed. A letter whose addressee's address is withheld from the poster has no address
    on it: someone it is not withheld from posts it."""
    copy = for_recipient(session, person, child_id, data)
    family = bool(copy.get("family"))
    children = [part["child_id"] for part in copy["children"]] if family else [child_id]
    hidden: set[tuple] = set()
    for each in children:
        hidden |= withholding.hidden_keys(session, poster, each)
    if not hidden:
        return copy
    values = withholding.values_of(session, hidden)
    if not family:
        return _redacted(copy, hidden, values, _family_member(person))
    parts = [_redacted(part, hidden, values, False) for part in copy["children"]]
    invitations = []
    for invitation in copy["invitations"]:
        invitation = dict(invitation)
        if any(("person", p["person_id"], "address") in hidden for p in invitation["people"]):
            invitation["address"] = None
        invitations.append(invitation)
    copy = {
        **copy,
        "children": parts,
        "invitations": invitations,
        "exclusions": [e for part in parts for e in part["exclusions"]],
        "reports": [r for part in parts for r in part["reports"]],
    }
    return _scrubbed(copy, values)


def for_recipients(
    session: Session, people: list[CasePerson], child_id: int, data: dict
) -> list[dict]:
    """`for_recipient` for each person sent a document, in order. When nothing of the
    child's record is withheld from anyone, one read says so for all of them (not one read
    per person); the copies are still each person's own (their letter, a family member's
    without the chair's decisions). Then a document other than the letters is the same for
    every family member, and for everyone else: one copy each, shared (never changed)."""
    if data.get("family") or conference_reads.remembered(
        session, ("withheld", child_id), lambda: withholding.anything_withheld(session, child_id)
    ):
        # A family document's parts are per child, each with its own record's withholding.
        return [for_recipient(session, person, child_id, data) for person in people]
    if data["kind"] != "invitation":
        shared: dict[bool, dict] = {}
        for flag in (_family_member(person) for person in people):
            if flag not in shared:
                shared[flag] = _redacted(data, set(), [], flag)
        return [shared[_family_member(person)] for person in people]
    return [
        _own_letter(person, _redacted(data, set(), [], _family_member(person))) for person in people
    ]


def _own_letter(person: CasePerson, data: dict) -> dict:
    if data["kind"] == "invitation":
        data["invitations"] = [
            i for i in data["invitations"] if person.id in i.get("person_ids", [i["person_id"]])
        ]
    return data


def _report(report: dict, hidden: set[tuple]) -> dict:
    kept = [f for f in report["files"] if (FILE_KEY[0], f["id"], FILE_KEY[1]) not in hidden]
    return {**report, "files": kept}


def _scrubbed(value, values: list[str]):
    """Every string in the data with the withheld text taken out (dates and numbers stay)."""
    if not values:
        return value
    if isinstance(value, str):
        return withheld_text.redact(value, values)
    if isinstance(value, dict):
        return {key: _scrubbed(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, values) for item in value]
    return value
