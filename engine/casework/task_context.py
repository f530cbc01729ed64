"""What a person needs beside a task's form: the case in brief, the conference it belongs to,
the reports already in, and what earlier steps of this workflow recorded and who did them.

An agency professional (access level INVITED) gets the conference and nothing of the plan
or of other people's steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine.access.access import Level
from engine.models.conferences import Conference, Report, conference_for_instance, reports_for
from engine.models.instances import DONE, HumanTask, tasks_of
from engine.models.plans import Plan, open_plan_for


@dataclass
class TaskContext:
    conference: Conference | None = None
    plan: Plan | None = None
    reports: list[Report] = field(default_factory=list)
    done_steps: list[HumanTask] = field(default_factory=list)


def for_task(session: Session, task: HumanTask, level: Level | None) -> TaskContext:
    instance = task.instance
    conference = conference_for_instance(session, instance.id)
    if level is not Level.FULL:
        return TaskContext(conference=conference)
    return TaskContext(
        conference=conference,
        plan=open_plan_for(session, instance.child_id) if instance.child_id else None,
        reports=[r for r in reports_for(session, conference.id) if r.submitted_on]
        if conference
        else [],
        done_steps=[t for t in tasks_of(session, instance.id) if t.state == DONE],
    )
