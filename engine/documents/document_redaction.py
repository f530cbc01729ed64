"""A document's data as one reader may read it: the one place a document is redacted.

Every PDF and Word file, downloaded by staff or sent to a person (a copy posted or behind a
link), is rendered from the dictionary `for_reader` returns, never from the gathered data as
it stands. What is withheld from the reader is taken out of the data before any template sees
it: a report or uploaded file withheld from them is left out; a contact field withheld from
them is blank; and the withheld text (an address, a phone number, a passage) is taken out of
every string wherever it appears, as a safety plan or a report may quote it. A family
member's copy has no record of the chair's decisions (their reasons are for the staff), and
a copy sent to a person has only the letter addressed to them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.access import withholding
from engine.access.withholding import Reader
from engine.models.conferences import CasePerson

FILE_KEY = ("report_file", "file")


def for_reader(session: Session, reader: Reader, child_id: int, data: dict) -> dict:
    """A copy of the document's data with everything withheld from this reader taken out."""
    hidden = withholding.hidden_keys(session, reader, child_id)
    return _redacted(reader, data, hidden, withholding.values_of(session, hidden))


def _redacted(reader: Reader, data: dict, hidden: set[tuple], values: list[str]) -> dict:
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
    if isinstance(reader, CasePerson) and reader.kind == "family":
        data["decisions"] = []
    return _scrubbed(data, values)


def for_recipient(session: Session, person: CasePerson, child_id: int, data: dict) -> dict:
    """The copy sent to one person invited: redacted for them, with only their own letter
    (a letter is addressed to them even when their address is withheld from others)."""
    return _own_letter(person, for_reader(session, person, child_id, data))


def for_recipients(
    session: Session, people: list[CasePerson], child_id: int, data: dict
) -> list[dict]:
    """`for_recipient` for each person sent a document, in order. When nothing of the
    child's record is withheld from anyone, one read says so for all of them (not one read
    per person); the copies are still each person's own (their letter, a family member's
    without the chair's decisions)."""
    if withholding.anything_withheld(session, child_id):
        return [for_recipient(session, person, child_id, data) for person in people]
    return [_own_letter(person, _redacted(person, data, set(), [])) for person in people]


def _own_letter(person: CasePerson, data: dict) -> dict:
    if data["kind"] == "invitation":
        data["invitations"] = [i for i in data["invitations"] if i["person_id"] == person.id]
    return data


def _report(report: dict, hidden: set[tuple]) -> dict:
    kept = [f for f in report["files"] if (FILE_KEY[0], f["id"], FILE_KEY[1]) not in hidden]
    return {**report, "files": kept}


def _scrubbed(value, values: list[str]):
    """Every string in the data with the withheld text taken out (dates and numbers stay)."""
    if not values:
        return value
    if isinstance(value, str):
        return withholding.redact(value, values)
    if isinstance(value, dict):
        return {key: _scrubbed(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, values) for item in value]
    return value
