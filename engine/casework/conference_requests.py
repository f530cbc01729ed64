"""Requests to exclude a family member or withhold information, and the chair's decisions.

The social worker, the chair or an invited professional raises a request before the
conference (a diagram step records it, with who raised it); the chair decides each one. An
agreed withholding makes the withheld item it names (a contact field, a whole report, an
uploaded file or a passage of text) from the person it names, through the same rules as the
child's withheld page; an agreed exclusion records which part of the meeting the person
misses, for their invitation, the agenda and the minutes. No conference is held while a
request is undecided.
"""

from __future__ import annotations

from engine.access.withholding import add_withheld
from engine.models.base import fetch
from engine.models.conferences import (
    CasePerson,
    Conference,
    ConferenceRequest,
    Report,
    people_for_child,
    reports_for,
    requests_for,
)
from engine.models.documents import ReportFile, files_for
from engine.models.withholding import share_with_parents
from engine.platform.errors import InvalidValue
from engine.workflow import step_context


def _conference(conference_id) -> Conference:
    session = step_context.current().session
    return fetch(session, Conference, conference_id, f"No conference {conference_id}.")


def record_requests(conference_id, requests) -> None:
    """Each request as raised, by whom, with what it names found on the child's record."""
    ctx = step_context.current()
    conference = _conference(conference_id)
    for item in requests or []:
        row = ConferenceRequest(
            conference_id=conference.id,
            kind=item["kind"],
            details=item["details"],
            raised_by_id=ctx.actor.id if ctx.actor else None,
        )
        _name_request(ctx.session, row, conference, item)
        ctx.session.add(row)
    ctx.session.flush()  # sharing the reports next reads what is asked to be withheld


def record_request_decisions(conference_id, decisions) -> None:
    """The chair's decision on each request, matched by position to the requests made.

    An agreed withholding that names what and from whom makes that withheld item, by the
    chair, through the same rules as the case page, in this step's transaction.
    """
    ctx = step_context.current()
    conference = _conference(conference_id)
    rows = requests_for(ctx.session, conference_id)
    for number, (row, decision) in enumerate(zip(rows, decisions or [], strict=False), 1):
        _name_request(ctx.session, row, conference, decision)
        row.decision, row.reason = decision.get("decision"), decision.get("reason")
        row.decided_by_id = ctx.actor.id if ctx.actor else None
        row.decided_on = ctx.now.date()
        report = row.report if row.decision == "refused" else None
        if report is not None and report.shared_with_parents_on is not None:
            # Kept back while undecided: given to the parents now it is refused.
            ctx.session.flush()
            share_with_parents(ctx.session, report, ctx.now.date())
        if row.decision != "agreed":
            continue
        if row.kind == "exclude":
            row.excluded_from = (decision.get("excluded_from") or "").strip() or None
            if row.excluded_from is None:
                raise InvalidValue(
                    {
                        "requests": f"Request {number}: say which part of the meeting the person "
                        "is excluded from."
                    }
                )
        elif row.kind == "withhold":
            _withhold_agreed(ctx, conference.child_id, row, number)


def _withhold_agreed(ctx, child_id: int, row: ConferenceRequest, number: int) -> None:
    """The withheld item an agreed request names: a contact field, a whole report, an
    uploaded file or a passage; a request naming only part of that is refused."""
    named = (row.person_id, row.field, row.withheld_from_id, row.report_id, row.report_file_id)
    if not any(named) and not row.passage:
        return  # an old request in free text only: recorded, nothing to make
    target = {
        "report": ("report", row.report_id, "summary"),
        "file": ("report_file", row.report_file_id, "file"),
        "passage": ("request", row.id if row.passage else None, "passage"),
    }.get(row.field or "", ("person", row.person_id, row.field))
    if not (target[1] and target[2] and row.withheld_from_id):
        raise InvalidValue(
            {
                "requests": f"Request {number}: say what is withheld (whose contact details, "
                "which report or file, or the passage) and who it is withheld from."
            }
        )
    ctx.session.flush()
    add_withheld(
        ctx.session,
        ctx.actor,
        child_id,
        target[0],
        target[1],
        target[2],
        f"person:{row.withheld_from_id}",
        row.reason or "",
        ctx.now,
    )


REQUEST_KINDS = {"exclude": "to exclude a family member", "withhold": "to withhold information"}


def require_requests_decided(session, conference_id) -> None:
    """Holding the conference would end the chair's task: every request is decided first."""
    undecided = [r for r in requests_for(session, conference_id) if r.decision is None]
    if undecided:
        named = "; ".join(
            f"the request {REQUEST_KINDS.get(r.kind, r.kind)} ({_shortened(r.details)})"
            for r in undecided
        )
        raise InvalidValue({"requests": f"Decide {named} before the conference is held."})


def _shortened(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _name_request(session, row: ConferenceRequest, conference: Conference, item: dict) -> None:
    """Whose field, which field or report or file or passage, and from whom, as the form
    names them (people and report authors by name, files by their name)."""
    child_id = conference.child_id
    if item.get("person"):
        row.person_id = _person_named(session, child_id, item["person"]).id
    if item.get("field"):
        row.field = item["field"]
    if item.get("report") and row.field == "report":
        row.report_id = _report_named(session, conference.id, item["report"]).id
    if item.get("report") and row.field == "file":
        row.report_file_id = _file_named(session, conference.id, item["report"]).id
    if item.get("passage"):
        row.passage = item["passage"].strip() or None
    if item.get("withheld_from"):
        row.withheld_from_id = _person_named(session, child_id, item["withheld_from"]).id


def _same_words(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join(b.split()).casefold()


def _report_named(session, conference_id: int, name: str) -> Report:
    found = [r for r in reports_for(session, conference_id) if _same_words(r.author, name)]
    if len(found) != 1:
        raise InvalidValue({"requests": f"There is no report by {name} for this conference."})
    return found[0]


def _file_named(session, conference_id: int, name: str) -> ReportFile:
    reports = reports_for(session, conference_id)
    files = files_for(session, [r.id for r in reports])
    found = [f for r in reports for f in files[r.id] if _same_words(f.filename, name)]
    if len(found) != 1:
        raise InvalidValue({"requests": f"There is no file called {name} for this conference."})
    return found[0]


def _person_named(session, child_id: int, name: str) -> CasePerson:
    wanted = " ".join(name.split()).casefold()
    found = [
        p
        for p in people_for_child(session, child_id)
        if " ".join(p.name.split()).casefold() == wanted
    ]
    if len(found) != 1:
        raise InvalidValue({"requests": f"There is no one called {name} on this child's record."})
    return found[0]


FUNCTIONS = {f.__name__: f for f in (record_requests, record_request_decisions)}
