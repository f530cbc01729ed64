"""Everything recorded about one child's conferences and plans, read for the case page."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from engine.access.withheld_text import redact
from engine.models.base import read_only_copy
from engine.models.child_conferences import (
    conferences_for_child,
    invited_conference_ids,
    people_for_child,
)
from engine.models.conferences import CasePerson, Conference
from engine.models.plans import (
    CoreGroupMeeting,
    Plan,
    PlanAction,
    actions_for,
    meetings_for,
    plans_for_child,
)
from engine.models.timeliness import LateStep, late_steps_for_child


@dataclass
class CaseSummary:
    conferences: list[Conference]
    plans: list[Plan]
    people: list[CasePerson]
    late_steps: list[LateStep]
    actions: dict[int, list[PlanAction]] = field(default_factory=dict)
    meetings: dict[int, list[CoreGroupMeeting]] = field(default_factory=dict)

    @property
    def open_plan(self) -> Plan | None:
        return next((p for p in reversed(self.plans) if p.open), None)

    @property
    def next_review(self) -> Conference | None:
        waiting = [c for c in self.conferences if c.kind == "rcpc" and c.held_on is None]
        return min(waiting, key=lambda c: c.due_on, default=None)

    @property
    def next_core_group(self) -> CoreGroupMeeting | None:
        plan = self.open_plan
        waiting = [m for m in self.meetings.get(plan.id, []) if m.held_on is None] if plan else []
        return min(waiting, key=lambda m: m.due_on, default=None)


def for_child(session: Session, child_id: int) -> CaseSummary:
    plans = plans_for_child(session, child_id)
    return CaseSummary(
        conferences=conferences_for_child(session, child_id),
        plans=plans,
        people=people_for_child(session, child_id),
        late_steps=late_steps_for_child(session, child_id),
        actions={p.id: actions_for(session, p.id) for p in plans},
        meetings={p.id: meetings_for(session, p.id) for p in plans},
    )


def for_reader(
    session: Session, child_id: int, user_id: int, full: bool, withheld: list[str] = ()
) -> CaseSummary:
    """What one reader may see: everything with full access; an agency professional (not
    `full`) only the conferences they were invited to, and no plans, people or late steps.
    The case page, the timeline and the API all read the record through this; `withheld`
    is the text withheld from the reader (`withholding.values_hidden_from`), taken out of
    the plan's actions and the late steps' explanations (`as_read`)."""
    if full:
        return as_read(for_child(session, child_id), withheld)
    invited = invited_conference_ids(session, child_id, user_id)
    conferences = [c for c in conferences_for_child(session, child_id) if c.id in invited]
    return CaseSummary(conferences, [], [], [])


def as_read(summary: CaseSummary, withheld: list[str]) -> CaseSummary:
    """The summary with the withheld text taken out of its free text: each plan action (what,
    who, progress) and late step (explanation, the chair's comment) a copy, never the row
    itself changed, so nothing taken out is written back."""
    if not withheld:
        return summary
    return replace(
        summary,
        actions={
            plan_id: [
                read_only_copy(
                    a,
                    what=redact(a.what, withheld),
                    who=redact(a.who, withheld),
                    progress=redact(a.progress, withheld),
                )
                for a in actions
            ]
            for plan_id, actions in summary.actions.items()
        },
        late_steps=[
            read_only_copy(
                step,
                explanation=redact(step.explanation, withheld),
                chair_comment=redact(step.chair_comment, withheld),
            )
            for step in summary.late_steps
        ],
    )
