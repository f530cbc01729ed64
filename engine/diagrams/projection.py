"""The statutory dates ahead for a plan, worked out by the deployed diagrams' own scripts.

The dates a plan runs to (the next review and the one after, the core groups between, the
letter and minutes after each review, the 18th birthday) are written once, in the diagrams
and `settings.json`. To show them ahead of time this runs the very script tasks that will
set them — the latest deployed version of each — with the case's facts and the record
functions replaced by ones that only note what the script asked for. So a process owner who
changes "every 6 months" or a council that meets every 4 weeks sees the projection change
with the diagram; nothing here knows an interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from engine.casework.vocabulary import FUNCTIONS
from engine.diagrams.registry import safe_tree
from engine.models.plans import open_plan_for, waiting_review_and_core_group
from engine.models.processes import latest_version
from engine.platform import workdays
from engine.platform.errors import EngineError
from engine.workflow.expressions import Language

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
HORIZON_MONTHS = 12  # how far ahead a projection runs


@dataclass(frozen=True)
class Ahead:
    """A date the plan will fall due, what it is, and whether it is projected (the diagram
    has not set it yet) or already set by a running workflow."""

    on: date
    what: str
    projected: bool = True


class _Noted:
    """Stand-ins for the functions a script calls: they record nothing, and note the
    follow-on workflows the script would start."""

    def __init__(self):
        self.started: list[tuple[str, dict]] = []

    def functions(self) -> dict:
        stubs = {name: (lambda *a, **k: None) for name in FUNCTIONS}
        stubs["start_process"] = lambda process_id, **data: self.started.append((process_id, data))
        stubs["plan_is_open"] = lambda plan_id: True
        return stubs


@lru_cache(maxsize=32)
def _scripts_of(version_id: int, xml: str) -> dict[str, str]:
    """A deployed version's script tasks by id: read once per version (versions never
    change once deployed)."""
    root = safe_tree(xml.encode("utf-8"))
    return {t.get("id"): t.findtext(f"{BPMN}script") or "" for t in root.iter(f"{BPMN}scriptTask")}


def _script(session: Session, process_id: str, task_id: str) -> str:
    version = latest_version(session, process_id)
    if version is None:
        raise EngineError(f"The {process_id} diagram is not deployed.")
    scripts = _scripts_of(version.id, version.bpmn_xml)
    if task_id not in scripts:
        raise EngineError(f"The {process_id} diagram has no script task “{task_id}”.")
    return scripts[task_id]


def _run(session: Session, process_id: str, task_id: str, facts: dict) -> tuple[dict, list]:
    """The script task's variables after it runs on `facts`, and what it would start."""
    noted = _Noted()
    context = dict(facts)
    Language(noted.functions()).environment().execute(
        _script(session, process_id, task_id), context
    )
    return context, noted.started


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def eighteenth_birthday(session: Session, born: date | None, expected: date | None) -> date:
    facts = {"date_of_birth": _iso(born), "expected_date_of_birth": _iso(expected)}
    facts |= {"review_due_date": None, "review_number": 0}
    values, _ = _run(session, "rcpc", "open_review", facts)
    return workdays.as_date(values["eighteenth_birthday"])


def after_review(session: Session, held: date, number: int) -> tuple[list[Ahead], date]:
    """What a review held on `held` sets: its letter and minutes, and the next review's
    due date (returned apart, as the projection goes on from it)."""
    facts = {
        "held_date": held.isoformat(),
        "review_number": number,
        "plan_id": 0,
        "conference_id": 0,
        "plan_actions": [],
    }
    facts |= {"category": None, "decision": "continue"}
    _, started = _run(session, "rcpc", "next_review", facts)
    letters, _ = _run(session, "rcpc", "letter_dates", facts)
    (_, next_review), *_ = [s for s in started if s[0] == "rcpc"]
    return [
        Ahead(workdays.as_date(letters["letter_due_date"]), f"Review {number}: decision letter"),
        Ahead(workdays.as_date(letters["minutes_due_date"]), f"Review {number}: minutes"),
    ], workdays.as_date(next_review["review_due_date"])


def next_core_group(session: Session, met: date, number: int) -> date:
    facts = {"core_group_date": met.isoformat(), "plan_id": 0, "core_group_number": number}
    _, started = _run(session, "core_group", "next_meeting", facts)
    (_, data), *_ = [s for s in started if s[0] == "core_group"]
    return workdays.as_date(data["core_group_due_date"])


def project(
    session: Session,
    review_due: date,
    review_number: int,
    core_group_due: date | None,
    core_group_number: int,
    birthday: date,
    review_on: date | None = None,
) -> list[Ahead]:
    """The dates from the open review (held on its due date, or on `review_on` if a
    manager asks "what if") and the open core group (held on its due date) to the horizon
    or the 18th birthday, whichever is first; soonest first."""
    end = min(workdays.add_months(review_due, HORIZON_MONTHS), birthday)
    found: list[Ahead] = []
    held, number = review_on or review_due, review_number
    found.append(Ahead(held, f"Review {number}", projected=review_on is not None))
    while held <= end:
        letters, due = after_review(session, held, number)
        found += letters
        number, held = number + 1, due
        if held <= end:
            found.append(Ahead(held, f"Review {number}"))
    meeting, number = core_group_due, core_group_number
    if meeting is not None:
        found.append(Ahead(meeting, f"Core group {number}", projected=False))
        while True:
            meeting, number = next_core_group(session, meeting, number), number + 1
            if meeting > end:
                break
            found.append(Ahead(meeting, f"Core group {number}"))
    found.append(Ahead(birthday, "18th birthday: the plan ends", projected=False))
    return sorted((a for a in found if a.on <= birthday), key=lambda a: (a.on, a.what))


def plan_ahead(session: Session, child, review_on: date | None = None) -> list[Ahead]:
    """Every statutory date ahead for the child's open plan (none without one): from the
    review and core group its running workflows are waiting for."""
    plan = open_plan_for(session, child.id)
    if plan is None:
        return []
    review, meeting = waiting_review_and_core_group(session, plan.id)
    birthday = eighteenth_birthday(session, child.date_of_birth, child.expected_date_of_birth)
    if review is None:
        return [Ahead(birthday, "18th birthday: the plan ends", projected=False)]
    return project(
        session,
        review.due_on,
        review.review_number or 1,
        meeting.due_on if meeting else None,
        meeting.sequence if meeting else 1,
        birthday,
        review_on,
    )
