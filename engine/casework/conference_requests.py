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

from sqlalchemy.orm import Session

from engine.access import access
from engine.access.access import Level
from engine.access.withholding import add_withheld, can_withhold
from engine.models import audit
from engine.models.base import fetch
from engine.models.child_conferences import people_for_child
from engine.models.conferences import (
    CasePerson,
    Conference,
    ConferenceRequest,
    Report,
    RequestAudience,
    reports_for,
    requests_for,
)
from engine.models.documents import ReportFile, files_for
from engine.models.people import User
from engine.models.withholding import GROUPS, group_named, share_with_parents
from engine.platform import whole_numbers
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidValue, NotAllowed
from engine.workflow import step_context


def _conference(conference_id) -> Conference:
    session = step_context.current().session
    return fetch(session, Conference, conference_id, f"No conference {conference_id}.")


def record_requests(conference_id, requests) -> None:
    """Each request as raised, by whom, with what it names found on the child's record."""
    ctx = step_context.current()
    conference = _conference(conference_id)
    for item in requests or []:
        raised_by = ctx.actor.id if ctx.actor else None
        _add_request(ctx.session, conference, item["kind"], item["details"], item, raised_by)
    ctx.session.flush()  # sharing the reports next reads what is asked to be withheld


def record_requests_raised(conference_id, answer: str) -> None:
    """The requests an agency professional (or the chair) raised in their own step, under
    the form's `answer` name; a step whose form asked none raises none."""
    raised = step_context.current().data.get(answer)
    if raised:
        record_requests(conference_id, raised)


def open_requests(conference_id) -> list[dict]:
    """Every request on the conference not yet decided, however it was raised (in a report
    step, or on the conference page), as the chair's decision form lists them."""
    session = step_context.current().session
    return [_as_answered(r) for r in requests_for(session, conference_id) if r.decision is None]


def _as_answered(row: ConferenceRequest) -> dict:
    audience = [p.name for p in row.withheld_from_people]
    if row.withheld_from_group:
        audience.insert(0, GROUPS[row.withheld_from_group])
    report = row.report.author if row.report is not None else None
    if row.report_file_id:
        found = step_context.current().session.get(ReportFile, row.report_file_id)
        report = found.filename if found else None
    answered = {
        "kind": row.kind,
        "details": row.details,
        "person": row.person.name if row.person else None,
        "field": row.field,
        "report": report,
        "passage": row.passage,
        "withheld_from": ", ".join(audience) or None,
    }
    return {key: value for key, value in answered.items() if value}


def record_request_decisions(conference_id, decisions) -> None:
    """The chair's decision on each request raised in the workflow, matched to the undecided
    requests by what they say (else by position); one decided already (on the conference
    page) is left as it was. The decisions' effects are `_decide`'s, in this step's
    transaction."""
    ctx = step_context.current()
    conference = _conference(conference_id)
    undecided = [r for r in requests_for(ctx.session, conference_id) if r.decision is None]
    for number, decision in enumerate(decisions or [], 1):
        same = [
            r
            for r in undecided
            if (r.kind, r.details) == (decision.get("kind"), decision.get("details"))
        ]
        row = (same or undecided or [None])[0]
        if row is None:
            continue
        undecided.remove(row)
        _decide(ctx.session, ctx.actor, conference, row, decision, number, ctx.now)


def _decide(session, chair, conference, row: ConferenceRequest, decision: dict, number, now):
    """One decision: recorded with the reason; an agreed exclusion says which part of the
    meeting; an agreed withholding makes its withheld item; a refused one gives a report kept
    back meanwhile to the parent."""
    _name_request(session, row, conference, decision)
    row.decision, row.reason = decision.get("decision"), decision.get("reason")
    row.decided_by_id = chair.id if chair else None
    row.decided_on = day_in_england(now)
    report = row.report if row.decision == "refused" else None
    if report is not None and report.shared_with_parents_on is not None:
        session.flush()
        share_with_parents(session, report, day_in_england(now))
    if row.decision != "agreed":
        return
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
        _withhold_agreed(session, chair, conference.child_id, row, number, now)


# ---- commands from the conference page ------------------------------------------------------

RAISERS = frozenset({"social_worker", "conference_chair"})  # and an invited professional


def can_raise(session: Session, user: User, conference: Conference, level: Level) -> bool:
    """The social worker or chair on the case, or an agency professional invited to it."""
    return level is Level.INVITED or bool(RAISERS & set(user.roles))


def raise_request(session: Session, user: User, conference_id: int, item: dict, now) -> int:
    """A request raised any time before the conference is held, as many as are needed."""
    conference, level = access.require_conference(session, user, conference_id)
    if not can_raise(session, user, conference, level):
        raise NotAllowed("Only the social worker, the chair or an invited professional can ask.")
    if conference.held_on is not None:
        raise EngineError("The conference has been held: a request is raised before it.")
    kind, details = item.get("kind"), (item.get("details") or "").strip()
    problems = {}
    if kind not in ("exclude", "withhold"):
        problems["kind"] = "Choose whether to exclude someone or withhold information."
    if not details:
        problems["details"] = "Say what is asked and why."
    if problems:
        raise InvalidValue(problems)
    with transaction(session):
        row = _add_request(session, conference, kind, details, item, user.id)
        session.flush()
        audit.record(
            session, user, "request.raised", now, child_id=conference.child_id, request=row.id
        )
    return row.id


def raise_by_link(session: Session, conference: Conference, items, person, now) -> list[int]:
    """The requests a professional without an account raises with the report they send by
    secure link, in that submission's transaction (the caller's): raised by no user, so each
    audit event names the professional's case person, as the chair's trail shows who asked."""
    if conference.held_on is not None:
        raise EngineError("The conference has been held: a request is raised before it.")
    ids = []
    for item in items or []:
        row = _add_request(session, conference, item["kind"], item["details"], item)
        session.flush()
        audit.record(
            session,
            None,
            "request.raised",
            now,
            child_id=conference.child_id,
            request=row.id,
            raised_by_person=person.id,
            raised_by=person.name,
        )
        ids.append(row.id)
    return ids


def decide_request(session: Session, chair: User, conference_id: int, item: dict, now) -> None:
    """The chair decides one open request (from the conference page, or before holding)."""
    conference, _level = access.require_conference(session, chair, conference_id)
    if not can_withhold(session, chair, conference.child_id):
        raise NotAllowed("Only the conference chair decides requests.")
    request_id = whole_numbers.parse(str(item.get("request_id") or ""))
    row = session.get(ConferenceRequest, request_id) if request_id else None
    if row is None or row.conference_id != conference.id or row.decision is not None:
        raise InvalidValue({"request_id": "Choose a request still to decide."})
    if item.get("decision") not in ("agreed", "refused"):
        raise InvalidValue({"decision": "Choose whether you agree or refuse the request."})
    if not (item.get("reason") or "").strip():
        raise InvalidValue({"reason": "Give the reason for your decision."})
    with transaction(session):
        decision = {**item, "kind": row.kind}
        _decide(session, chair, conference, row, decision, 1, now)
        audit.record(
            session, chair, "request.decided", now, child_id=conference.child_id, request=row.id
        )


def _withhold_agreed(session, chair, child_id: int, row, number, now) -> None:
    """The withheld items an agreed request names: a contact field, a whole report, an
    uploaded file or a passage, from each person it names and from the group it names (one
    item for the group, whose members are found whenever data is read); a request naming
    only part of that is refused."""
    people = row.withheld_from_people
    named = (row.person_id, row.field, people, row.withheld_from_group)
    if not any(named) and not (row.report_id or row.report_file_id or row.passage):
        return  # an old request in free text only: recorded, nothing to make
    target = {
        "report": ("report", row.report_id, "summary"),
        "file": ("report_file", row.report_file_id, "file"),
        "passage": ("request", row.id if row.passage else None, "passage"),
    }.get(row.field or "", ("person", row.person_id, row.field))
    audiences = [f"person:{p.id}" for p in people]
    if row.withheld_from_group:
        audiences.insert(0, f"group:{row.withheld_from_group}")
    if not (target[1] and target[2] and audiences):
        raise InvalidValue(
            {
                "requests": f"Request {number}: say what is withheld (whose contact details, "
                "which report or file, or the passage) and who it is withheld from."
            }
        )
    session.flush()
    for audience in audiences:
        add_withheld(session, chair, child_id, *target, audience, row.reason or "", now)


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


def _add_request(
    session, conference: Conference, kind: str, details: str, item: dict, raised_by_id=None
) -> ConferenceRequest:
    """A new request on the conference, however it was raised (a step, the conference page,
    a secure link), with what it names found on the child's record."""
    row = ConferenceRequest(
        conference_id=conference.id, kind=kind, details=details, raised_by_id=raised_by_id
    )
    _name_request(session, row, conference, item)
    session.add(row)
    return row


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
        _name_audience(session, row, child_id, item["withheld_from"])


def _name_audience(session, row: ConferenceRequest, child_id: int, named) -> None:
    """Whom the information is withheld from: one or several people on the record (a list,
    or names apart by commas or "and"), and a group ("all family members", "all
    non-professionals"), kept as the group and never as today's members of it."""
    parts = named if isinstance(named, list) else _names(session, child_id, str(named))
    group, people = None, []
    for part in parts:
        found = group_named(part)
        if found:
            group = found
            continue
        person = _person_named(session, child_id, part)
        if person not in people:
            people.append(person)
    row.withheld_from_group = group
    row.withheld_from_id = people[0].id if people else None
    kept = {a.person_id: a for a in row.audience}  # a row kept, never deleted and made again
    row.audience = [kept.get(p.id) or RequestAudience(person=p) for p in people]


def _names(session, child_id: int, text: str) -> list[str]:
    """A name as written, or the names in a list of them ("Tom Okoye, Ann Okoye and all
    non-professionals"): a whole name on the record is never split."""
    if group_named(text) or _matching(session, child_id, text):
        return [text]
    parts = [p for chunk in text.split(",") for p in chunk.split(" and ")]
    return [p.strip() for p in parts if p.strip()]


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


def _matching(session, child_id: int, name: str) -> list[CasePerson]:
    wanted = " ".join(name.split()).casefold()
    return [
        p
        for p in people_for_child(session, child_id)
        if " ".join(p.name.split()).casefold() == wanted
    ]


def _person_named(session, child_id: int, name: str) -> CasePerson:
    found = _matching(session, child_id, name)
    if len(found) != 1:
        raise InvalidValue({"requests": f"There is no one called {name} on this child's record."})
    return found[0]


FUNCTIONS = {
    f.__name__: f
    for f in (record_requests, record_requests_raised, open_requests, record_request_decisions)
}
