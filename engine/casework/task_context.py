"""What a person needs beside a task's form: the case in brief, the conference it belongs to,
the reports already in, and what earlier steps of this workflow recorded and who did them.

An agency professional (access level INVITED) gets the conference and nothing of the plan
or of other people's steps. Reports are read for the person looking, through withholding: a
report withheld from them is not listed, and text withheld from them is taken out of the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.access import withheld_text, withholding
from engine.access.access import Level
from engine.casework import late_agreement
from engine.models.conferences import (
    RCPC,
    Conference,
    ConferenceRequest,
    conference_for_instance,
    previous_held,
    requests_for,
)
from engine.models.instances import DONE, HumanTask, tasks_of
from engine.models.people import User
from engine.models.plans import Plan, open_plan_for


@dataclass
class TaskContext:
    conference: Conference | None = None
    plan: Plan | None = None
    reports: list[withholding.ReportView] = field(default_factory=list)
    done_steps: list[HumanTask] = field(default_factory=list)
    open_requests: list[ConferenceRequest] = field(default_factory=list)  # for the chair to decide
    # Each open request's free text, less what is withheld from the person looking.
    request_texts: dict[int, withholding.RequestText] = field(default_factory=dict)
    can_decide: bool = False
    managers_reasons: list[late_agreement.ManagersReason] = field(default_factory=list)
    previous: MapView | None = None  # a review's last conference: its map, decision and plan


# The map a conference recorded, in the order the chair's form asks for it.
MAP_FIELDS = (
    ("harm", "Harm and danger"),
    ("complicating_factors", "Complicating factors"),
    ("strengths", "Strengths"),
    ("safety", "Safety and protective factors"),
    ("grey_areas", "Grey areas"),
    ("safety_plan", "Safety plan"),
    ("decision_reasons", "Reasons for the decision"),
    ("plan_outcomes", "What the plan must achieve"),
)


@dataclass(frozen=True)
class MapView:
    """The last conference as the review's chair reads it, withheld text taken out."""

    conference: Conference
    rows: list[tuple[str, str]]


def for_task(session: Session, viewer: User, task: HumanTask, level: Level | None) -> TaskContext:
    instance = task.instance
    conference = conference_for_instance(session, instance.id)
    if level is not Level.FULL:
        return TaskContext(conference=conference)
    open_requests = (
        [r for r in requests_for(session, conference.id) if r.decision is None]
        if conference and conference.held_on is None
        else []
    )
    withheld = (
        withholding.values_hidden_from(session, viewer, conference.child_id)
        if open_requests
        else []
    )
    return TaskContext(
        conference=conference,
        plan=open_plan_for(session, instance.child_id) if instance.child_id else None,
        reports=_reports(session, viewer, conference) if conference else [],
        done_steps=[t for t in tasks_of(session, instance.id) if t.state == DONE],
        open_requests=open_requests,
        request_texts=withholding.request_texts(open_requests, withheld),
        can_decide=bool(conference)
        and withholding.can_withhold(session, viewer, conference.child_id),
        managers_reasons=late_agreement.managers_reasons(session, instance.id)
        if task.form_key == late_agreement.CHAIR_FORM
        else [],
        previous=_previous_map(session, viewer, conference)
        if conference and conference.kind == RCPC and conference.held_on is None
        else None,
    )


def _previous_map(session: Session, viewer: User, conference: Conference) -> MapView | None:
    """What the last conference found and decided, so a review starts from it."""
    last = previous_held(session, conference)
    if last is None:
        return None
    hidden = withholding.values_hidden_from(session, viewer, conference.child_id)
    rows = []
    for name, label in MAP_FIELDS:
        text = withheld_text.redact(getattr(last, name), hidden)
        if text:
            rows.append((label, text))
    return MapView(conference=last, rows=rows)


def _reports(session: Session, viewer: User, conference: Conference):
    """The conference's reports in, as this person may read them; none withheld from them."""
    return [
        r
        for r in withholding.reports_for(session, viewer, conference.child_id)
        if r.conference_id == conference.id and r.submitted_on and not r.withheld
    ]
