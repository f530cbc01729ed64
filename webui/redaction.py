"""The last net for withheld information: scrub it from a response before it leaves.

Pages, API and downloads build on read models that already take out what is withheld from
the reader (engine/access/withholding.py); should a new page forget, the withheld text is
replaced here. The net is kept narrow so that it can neither be asked questions nor blank
what the reader may read:

- It looks only for what is withheld in the record of the child the response is about (named
  by the route: a child, conference, workflow, task, report or report file). A response about
  no single child (the inbox) is looked over for the children the person may see; one about
  a workflow or task of no child's (a process owner's test run) holds nothing of any child's.
- A family member reading through a secure link is looked after the same way, for that link's
  child and person (`for_family_member`, called by those pages).
- It never changes text the request itself supplied. A withheld value that appears in the
  request (its path, query string, form, JSON body or upload names; compared ignoring case,
  spaces and punctuation) is left out of the scrub for that response. A page that echoes what
  was typed then echoes it the same whether the guess was right or wrong, so typing guesses
  into a search box and watching for "[withheld]" tells nothing. Left out is only what the
  person already typed; everything else withheld is still scrubbed.
"""

from __future__ import annotations

import json

from flask import Flask, g, request
from markupsafe import escape

from engine.access import withholding
from engine.models.conferences import CasePerson
from engine.models.instances import HumanTask, ProcessInstance
from engine.models.withholding import keys_hidden_from_user

from .extensions import db

TEXT_TYPES = ("text/html", "application/json", "text/csv", "text/plain")
MARK = "[withheld]"

# A route's argument → the record it names, whose child the response is about.
ABOUT = {
    "child_id": "child",
    "conference_id": "conference",
    "instance_id": "instance",
    "task_id": "task",
    "report_id": "report",
}
FILE_ROUTES = {"documents.report_file"}
# Records that may belong to no child, and what `_child_about` says of such a one.
CHILDLESS = {"instance": ProcessInstance, "task": HumanTask}
NO_CHILD = object()  # file_id there is a report file of one child


def for_family_member(person_id: int, child_id: int) -> None:
    """This response is read by a family member through a secure link (no signed-in user)."""
    g.redaction_family = (person_id, child_id)


def _scrub(response):
    if response.direct_passthrough or not response.mimetype:
        return response
    if not response.mimetype.startswith(TEXT_TYPES):
        return response
    values = _values_for_this_request()
    if values:
        supplied = _supplied_by_request()
        values = [v for v in values if not _was_supplied(v, supplied)]
    if not values:
        return response
    body = response.get_data(as_text=True)
    for value in values:
        for form in {value, str(escape(value)), json.dumps(value)[1:-1]}:
            body = body.replace(form, MARK)
    response.set_data(body)
    return response


def _values_for_this_request() -> list[str]:
    """What to scrub for this reader, read now: after the request's writes have committed,
    in the request's session, never inside the engine's write transaction."""
    session = db()
    family = g.get("redaction_family")
    if family is not None:
        person_id, child_id = family
        person = session.get(CasePerson, person_id)
        return withholding.values_hidden_from(session, person, child_id) if person else []
    user = g.get("user")
    if user is None:
        return []
    child_id = _child_about(session)
    if child_id is NO_CHILD:
        return []
    if child_id is not None:
        return withholding.values_hidden_from(session, user, child_id)
    # About no single child: what is withheld from this account in the children it may see is
    # part of what is withheld from it anywhere. Most accounts have nothing withheld from them
    # at all, which one prepared statement shows without working out which children they see.
    if not keys_hidden_from_user(session, user, None):
        return []
    return withholding.values_hidden_in_children_seen(session, user)


def _child_about(session):
    """The child the route's record belongs to; NO_CHILD for a workflow or task that belongs
    to none; None when the route names no record (or one that does not exist)."""
    args = request.view_args or {}
    for name, record in ABOUT.items():
        if name in args:
            child_id = withholding.child_of(session, record, args[name])
            if child_id is None and record in CHILDLESS:
                found = session.get(CHILDLESS[record], args[name])  # read just now: no SQL
                return NO_CHILD if found is not None else None
            return child_id
    if request.endpoint in FILE_ROUTES and "file_id" in args:
        return withholding.child_of(session, "report_file", args["file_id"])
    return None


def _supplied_by_request() -> list[str]:
    """Every piece of text the request carried, folded for comparison."""
    texts = [request.path, *(request.view_args or {}).values()]
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            texts += [key, value]
    texts += [upload.filename or "" for upload in request.files.values()]
    texts += _strings_in(request.get_json(silent=True))
    return [_folded(str(t)) for t in texts if t]


def _strings_in(data) -> list[str]:
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in (str(k), *_strings_in(v))]
    if isinstance(data, list):
        return [s for item in data for s in _strings_in(item)]
    return [str(data)] if data is not None else []


def _was_supplied(value: str, supplied: list[str]) -> bool:
    folded = _folded(value)
    return bool(folded) and any(folded in text for text in supplied)


def _folded(text: str) -> str:
    """Lower case, letters and digits only: a page may echo input tidied ("ot1 2ab" as
    "OT1 2AB"), and the tidied echo is still the person's own input."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def init_app(app: Flask) -> None:
    app.after_request(_scrub)
