"""A team manager's correction of what a held conference recorded.

Once the chair's step is done its answers cannot be edited there. A team manager (or a
service manager) can correct the conference's recorded words (the findings, the views, the
safety plan, the reasons, the plan's aims and any dissent), the date it was held, the
strategy discussion's date, and the decision and category. A reason is required; the old
and new value of every field changed are kept in the audit trail, and the documents read
the corrected record from then on.

A corrected date is followed where the diagram uses it: the plan the conference started
starts that day, and while the conference's workflow still runs it is told the new date in
the same transaction, so the letter's and minutes' due dates, their reminders and
escalations are worked out again from it (`Engine.change_data`). The first core group and
review run in workflows of their own that the conference's step started: the step's
`recomputeFollowOns` rule gives them their due dates again from the corrected day, even after
the conference's workflow finished, with their meeting and review rows. A corrected strategy
discussion date gives the conference (and its section 47 enquiry) the due date the diagram
works out from it, running or finished (`Engine.worked_out`), so whether it was held in
time is counted right; the confirmation says when no running workflow uses it. A decision
may be corrected to another of the same kind (one plan category for another, a child in
need plan for no further action); one that would start or end a plan cannot be, since the
plan, its core groups and reviews were started or ended from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.casework import date_checks
from engine.models import audit
from engine.models.base import fetch
from engine.models.conferences import CATEGORIES, Conference
from engine.models.enquiries import Section47Enquiry
from engine.models.instances import ProcessInstance
from engine.models.people import User
from engine.models.plans import CoreGroupMeeting, Plan, first_core_group_held
from engine.platform import workdays
from engine.platform.clock import day_in_england
from engine.platform.db import transaction
from engine.platform.errors import EngineError, InvalidValue, NotAllowed
from engine.workflow import step_context

CORRECTABLE = {
    "harm": "Harm and danger",
    "strengths": "Strengths",
    "safety": "Safety and protective factors",
    "complicating_factors": "Complicating factors",
    "grey_areas": "Grey areas",
    "child_views": "The child's views",
    "parent_views": "The parents' or carers' views",
    "safety_plan": "Safety plan",
    "decision_reasons": "Reasons for the decision",
    "plan_outcomes": "What the plan must achieve",
    "dissent": "Dissent",
}
OPTIONAL = frozenset({"complicating_factors", "grey_areas", "plan_outcomes", "dissent"})
MAY_CORRECT = ("team_manager", "service_manager")
# What the workflows a conference started were given from the day it was held, as audited.
FOLLOW_ON_DATES = (
    ("The first core group meeting", "core_group_due_date"),
    ("The review conference", "review_due_date"),
)
# Decisions of one kind: a correction stays within its kind (a plan, or none).
WITH_A_PLAN = frozenset({"cp_plan", "continue"})
DECISION_KINDS = (WITH_A_PLAN, frozenset({"cin_plan", "nfa", "end_cin", "end_nfa"}))


def withheld_words(session: Session, user: User, conference: Conference) -> dict[str, str]:
    """The recorded words that hold text withheld from this manager, by field, as they may
    read them (the withheld text taken out). They are not offered for correcting to them:
    the form would show the words without it, and saving would write that over the record.
    Someone the text is not withheld from corrects them."""
    values = withholding.values_hidden_from(session, user, conference.child_id)
    found = {}
    for name in CORRECTABLE:
        text = getattr(conference, name)
        shown = withheld_text.redact(text, values) if text else text
        if shown != text:
            found[name] = shown
    return found


def may_correct(user: User, conference: Conference) -> bool:
    held = conference.held_on is not None
    return held and any(user.has_role(r) for r in MAY_CORRECT)


@dataclass(frozen=True)
class Correction:
    changes: dict[str, dict]  # field by field, as audited
    message: str  # the confirmation: what followed the corrected dates, and what did not


def correct(
    session: Session,
    actor: User,
    conference_id: int,
    answers: dict,
    reason: str,
    now: datetime,
    engine=None,
) -> Correction:
    """Change the fields whose answers differ. A field not answered (or answered None for a
    date or the decision) is left as it is. With the `engine`, a corrected date reaches the
    conference's workflow if it still runs, and the workflows it started that still run."""
    conference = fetch(session, Conference, conference_id, "There is no such conference.")
    if not may_correct(actor, conference):
        raise NotAllowed("Only a team manager can correct a held conference's record.")
    if not (reason or "").strip():
        raise InvalidValue({"reason": "Enter why the record is corrected"})
    for name in withheld_words(session, actor, conference):
        if name in answers:
            told = "holds information withheld from you: ask a colleague to correct it"
            raise InvalidValue({name: f"{CORRECTABLE[name]} {told}"})
    changes = _word_changes(conference, answers)
    changes.update(_decision_changes(conference, answers))
    held = _held_change(session, conference, answers.get("held_date"), now)
    if held:
        changes["held_date"] = held
    strategy = _strategy_change(conference, answers.get("strategy_discussion_date"), changes)
    if strategy:
        changes["strategy_discussion_date"] = strategy
    if not changes:
        raise InvalidValue({"reason": "Nothing was changed: correct at least one answer"})
    instance = session.get(ProcessInstance, conference.instance_id)
    running = engine is not None and instance is not None and instance.active
    dates = {
        n: changes[n]["new"] for n in ("held_date", "strategy_discussion_date") if n in changes
    }
    if dates and engine is None:
        raise EngineError("A corrected date is worked out again by the workflow engine.")
    # A finished workflow's dates are worked out on the data its steps ran with.
    finished = engine.worked_out(session, instance.id, dates) if strategy and not running else {}
    followed: dict[int, dict] = {}

    def apply(told=None) -> None:
        followed.update(told or {})
        for name, change in changes.items():
            if name in CORRECTABLE or name in ("decision", "category"):
                setattr(conference, name, change["new"])
        if "held_date" in changes:
            conference.held_on = workdays.as_date(changes["held_date"]["new"])
        if strategy:
            _due_follows(session, conference, changes, finished or step_context.current().data)
        _follow(session, conference, changes)
        for instance_id, data in followed.items():
            _follow_on_rows(session, instance_id, data, changes)
        audit.record(
            session,
            actor,
            "conference.corrected",
            now,
            instance_id=conference.instance_id,
            child_id=conference.child_id,
            conference_id=conference.id,
            changes=changes,
            reason=reason.strip(),
        )

    if dates and instance is not None:
        engine.change_data(
            session,
            [instance.id] if running else [],
            actor,
            dates,
            then=apply,
            follow_from=(instance.id,),
        )
    else:
        with transaction(session):
            apply()
    return Correction(changes, _message(changes, running, followed))


def _message(changes: dict, running: bool, followed: dict) -> str:
    said = ["The conference record is corrected."]
    moved = [c for c in FOLLOW_ON_DATES if c[1] in changes]
    if moved:
        said += [
            f"{label} is now due {date_checks.in_words(workdays.as_date(changes[key]['new']))}."
            for label, key in moved
        ]
    if "strategy_discussion_date" in changes and not running:
        said.append(
            "No running workflow uses the strategy discussion date: the conference's due "
            "date and the figures follow the corrected record."
        )
    return " ".join(said)


def _word_changes(conference: Conference, answers: dict) -> dict[str, dict]:
    changes = {}
    for name in CORRECTABLE:
        if name not in answers:
            continue
        new = (answers[name] or "").strip() or None
        old = getattr(conference, name)
        if new is None and old is not None and name not in OPTIONAL:
            label = CORRECTABLE[name]
            raise InvalidValue({name: f"Enter {label[:1].lower()}{label[1:]}"})
        if new != old:
            changes[name] = {"old": old, "new": new}
    return changes


def _decision_changes(conference: Conference, answers: dict) -> dict[str, dict]:
    """The decision and category as corrected, within the decision's own kind."""
    changes = {}
    decision = answers.get("decision") or conference.decision
    if decision != conference.decision:
        same = [kind for kind in DECISION_KINDS if conference.decision in kind]
        if not same or decision not in same[0]:
            raise InvalidValue(
                {
                    "decision": "A decision that starts or ends a plan cannot be corrected "
                    "here: the plan, its core groups and reviews followed from it"
                }
            )
        changes["decision"] = {"old": conference.decision, "new": decision}
    category = answers.get("category") or conference.category
    if decision not in WITH_A_PLAN:
        category = None
    elif category not in CATEGORIES:
        raise InvalidValue({"category": "Select the category of abuse or neglect"})
    if category != conference.category:
        changes["category"] = {"old": conference.category, "new": category}
    return changes


def _held_change(session: Session, conference: Conference, value, now: datetime) -> dict | None:
    if not value:
        return None
    held = workdays.as_date(value)
    if held == conference.held_on:
        return None
    today = day_in_england(now)
    if held > today:
        raise InvalidValue(
            {
                "held_date": "Date the conference was held must be in the past: today is "
                f"{date_checks.in_words(today)}"
            }
        )
    date_checks.check_held(held, conference.scheduled_on)
    if conference.plan_id is not None:
        plan = session.get(Plan, conference.plan_id)
        if plan is not None and plan.started_on == conference.held_on:  # it started the plan
            date_checks.check_plan_start(held, first_core_group_held(session, plan.id))
    return {"old": _iso(conference.held_on), "new": held.isoformat()}


def _strategy_change(conference: Conference, value, changes: dict) -> dict | None:
    """A corrected strategy discussion date: never after the conference was held."""
    if not value or conference.strategy_discussion_date is None:
        return None
    day = workdays.as_date(value)
    if day == conference.strategy_discussion_date:
        return None
    held = workdays.as_date(changes["held_date"]["new"]) if "held_date" in changes else None
    held = held or conference.held_on
    if held is not None and day > held:
        raise InvalidValue(
            {
                "strategy_discussion_date": "Date of the strategy discussion must be on or "
                f"before the day the conference was held, {date_checks.in_words(held)}"
            }
        )
    return {"old": _iso(conference.strategy_discussion_date), "new": day.isoformat()}


def _due_follows(session: Session, conference: Conference, changes: dict, data: dict) -> None:
    """The conference's due date and its enquiry's target, as the diagram works them out
    again from the corrected strategy discussion date (`data` holds them)."""
    conference.strategy_discussion_date = workdays.as_date(
        changes["strategy_discussion_date"]["new"]
    )
    due = workdays.as_date(data["icpc_due_date"])
    if due != conference.due_on:
        changes["due_date"] = {"old": _iso(conference.due_on), "new": due.isoformat()}
        conference.due_on = due
    query = select(Section47Enquiry).where(Section47Enquiry.instance_id == conference.instance_id)
    for enquiry in session.scalars(query):
        enquiry.strategy_discussion_date = conference.strategy_discussion_date
        enquiry.icpc_target_date = workdays.as_date(data["icpc_target_date"])


def _follow_on_rows(session: Session, instance_id: int, data: dict, changes: dict) -> None:
    """The rows a follow-on opened with its due date (its core group meeting, its review
    conference) are due on the date the diagram worked out again; audited with the rest."""
    for model, key in ((CoreGroupMeeting, "core_group_due_date"), (Conference, "review_due_date")):
        if key not in data:
            continue
        new = workdays.as_date(data[key])
        for row in session.scalars(select(model).where(model.instance_id == instance_id)):
            if row.due_on != new:
                changes[key] = {"old": _iso(row.due_on), "new": new.isoformat()}
                row.due_on = new


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _follow(session: Session, conference: Conference, changes: dict) -> None:
    """The plan this conference started, or carries on, follows its corrected record."""
    plan = session.get(Plan, conference.plan_id) if conference.plan_id else None
    if plan is None:
        return
    started_it = plan.started_on == _old_held(conference, changes)
    if "held_date" in changes and started_it:
        plan.started_on = workdays.as_date(changes["held_date"]["new"])
    if "category" in changes and changes["category"]["new"]:
        if plan.initial_category == changes["category"]["old"] and started_it:
            plan.initial_category = changes["category"]["new"]
        if plan.latest_category == changes["category"]["old"]:  # no later review changed it
            plan.latest_category = changes["category"]["new"]


def _old_held(conference: Conference, changes: dict) -> date | None:
    if "held_date" in changes:
        return (
            workdays.as_date(changes["held_date"]["old"]) if changes["held_date"]["old"] else None
        )
    return conference.held_on
