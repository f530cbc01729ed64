"""A child's story as one dated list: conferences, decisions, plans, core groups, reports,
late steps and escalations, newest first, and what is due next.

Built only from the records the diagrams write (never from workflow state), in a handful of
queries, so the case page reads a child's whole history in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy.orm import Session

from engine.access.withheld_text import redact
from engine.casework import case_summary
from engine.models.child_conferences import reports_for_child
from engine.models.conferences import CATEGORIES, Conference
from engine.models.instances import HumanTask, open_tasks_for_child, tasks_done_by
from engine.models.timeliness import escalations_for_child
from engine.platform.clock import day_in_england

DECISIONS = {
    "cp_plan": "child protection plan",
    "cin_plan": "child in need plan",
    "nfa": "no further action",
    "continue": "the plan continues",
    "end_cin": "the plan ends: child in need plan",
    "end_nfa": "the plan ends: no further action",
}


SHARED_WITH_INVITED = frozenset({"conference", "decision"})


@dataclass(frozen=True)
class Entry:
    on: date
    kind: str  # conference | decision | plan | core_group | report | late | escalation | step
    title: str
    detail: str = ""
    late: bool = False


@dataclass
class DueItem:
    due_on: date | None
    title: str
    who: str
    task: HumanTask | None = None


@dataclass
class CaseStory:
    summary: case_summary.CaseSummary
    entries: list[Entry]
    due: list[DueItem] = field(default_factory=list)


def _conference_entries(conference: Conference) -> list[Entry]:
    label = conference.kind_label + (
        f" {conference.review_number}" if conference.review_number else ""
    )
    entries = []
    if conference.strategy_discussion_date:
        entries.append(Entry(conference.strategy_discussion_date, "step", "Strategy discussion"))
    if conference.s47_start_date:
        entries.append(Entry(conference.s47_start_date, "step", "Section 47 enquiry started"))
    if conference.booked_at and conference.scheduled_on:
        when = f"{conference.scheduled_on.day} {conference.scheduled_on:%B %Y}"
        booked = day_in_england(conference.booked_at)
        entries.append(Entry(booked, "conference", f"{label} booked", f"For {when}"))
    if conference.held_on:
        chair = f"Chaired by {conference.chair.display_name}. " if conference.chair else ""
        entries.append(
            Entry(conference.held_on, "conference", f"{label} held", chair, conference.held_late)
        )
        if conference.decision:
            decision = DECISIONS.get(conference.decision, conference.decision)
            if conference.category:
                decision += f" ({CATEGORIES.get(conference.category, conference.category)})"
            detail = f"Dissent recorded: {conference.dissent}" if conference.dissent else ""
            entries.append(Entry(conference.held_on, "decision", f"Decision: {decision}", detail))
    if conference.letter_sent_on:
        entries.append(Entry(conference.letter_sent_on, "step", "Decision letter sent"))
    if conference.minutes_sent_on:
        entries.append(Entry(conference.minutes_sent_on, "step", "Minutes sent"))
    return entries


def for_child(session: Session, child_id: int, withheld: list[str] = ()) -> CaseStory:
    """The whole story, newest first, with the steps waiting now; `withheld` is the text
    withheld from the reader (`withholding.values_hidden_from`), taken out of every entry
    (a dissent or a late step's explanation may quote it) and of the summary's free text."""
    summary = case_summary.as_read(case_summary.for_child(session, child_id), withheld)
    entries: list[Entry] = []
    for conference in summary.conferences:
        entries += _conference_entries(conference)
    for report in reports_for_child(session, child_id):
        if report.submitted_on:
            who = report.agency or report.kind.replace("_", " ")
            by = f" by {report.author}" if report.author else ""
            late = report.due_on is not None and report.submitted_on > report.due_on
            entries.append(Entry(report.submitted_on, "report", f"Report from {who}{by}", "", late))
    entries += _plan_entries(summary)
    entries += _late_entries(session, summary, child_id)
    entries.sort(key=lambda e: (e.on, e.kind), reverse=True)
    return CaseStory(summary=summary, entries=_read(entries, withheld), due=_due(session, child_id))


def _read(entries: list[Entry], withheld: list[str]) -> list[Entry]:
    """The entries with the text withheld from the reader taken out of their words."""
    if not withheld:
        return entries
    return [
        replace(e, title=redact(e.title, withheld), detail=redact(e.detail, withheld) or "")
        for e in entries
    ]


def _plan_entries(summary: case_summary.CaseSummary) -> list[Entry]:
    entries = []
    for plan in summary.plans:
        category = CATEGORIES.get(plan.initial_category, plan.initial_category)
        entries.append(Entry(plan.started_on, "plan", "Child protection plan started", category))
        if plan.ended_on:
            entries.append(Entry(plan.ended_on, "plan", "Plan ended", plan.end_reason_label))
        for meeting in summary.meetings.get(plan.id, []):
            if meeting.held_on:
                entries.append(
                    Entry(
                        meeting.held_on,
                        "core_group",
                        f"Core group meeting {meeting.sequence}",
                        meeting.progress or "",
                        meeting.held_on > meeting.due_on,
                    )
                )
    return entries


def _chair(step) -> str:
    """The chair's own answer on a late conference's reason, once given."""
    if step.chair_agrees is None:
        return ""
    if step.chair_agrees:
        return " The chair agreed the reason."
    return f" The chair did not agree: {step.chair_comment}"


def _late_entries(session, summary, child_id: int) -> list[Entry]:
    entries = [
        Entry(
            step.done_on,
            "late",
            f"Late: {step.step.replace('_', ' ')}",
            f"Due {step.due_on.day} {step.due_on:%B %Y}. {step.explanation}{_chair(step)}",
            True,
        )
        for step in summary.late_steps
    ]
    for escalation in escalations_for_child(session, child_id):
        who = escalation.role.replace("_", " ")
        entries.append(
            Entry(
                day_in_england(escalation.escalated_at),
                "escalation",
                f"Overdue, escalated to the {who}: {escalation.title}",
                "",
                True,
            )
        )
    return entries


def _due(session: Session, child_id: int) -> list[DueItem]:
    return [
        DueItem(
            task.due_on,
            task.title,
            task.assignee.display_name if task.assignee else f"Any {(task.lane or '').lower()}",
            task,
        )
        for task in open_tasks_for_child(session, child_id)
    ]


def for_invited(
    session: Session, child_id: int, user_id: int, withheld: list[str] = ()
) -> CaseStory:
    """An agency professional's view: the conferences they are invited to (when booked and
    held, and the decision they heard) and their own contributions, nothing else; less the
    text withheld from them (`withheld`, as `for_child`)."""
    conferences = case_summary.for_reader(session, child_id, user_id, full=False).conferences
    entries = [
        e for c in conferences for e in _conference_entries(c) if e.kind in SHARED_WITH_INVITED
    ]
    for task in tasks_done_by(session, child_id, user_id):
        sent = day_in_england(task.completed_at)
        entries.append(Entry(sent, "report", f"You sent: {task.title}"))
    entries.sort(key=lambda e: (e.on, e.kind), reverse=True)
    summary = case_summary.CaseSummary(conferences, [], [], [])
    return CaseStory(summary=summary, entries=_read(entries, withheld))
