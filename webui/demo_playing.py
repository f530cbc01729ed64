"""Playing a demo story through the real diagrams: the clock set to each step's working day, the
timers that fell due by then fired, and each step answered from its own form.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.casework import cases
from engine.models.instances import READY, HumanTask, ProcessInstance
from engine.models.people import Child, User, user_by_username, users_with_role
from engine.platform import workdays
from engine.platform.clock import LONDON, FixedClock
from engine.platform.db import reusing
from engine.service import Engine
from engine.workflow import timers
from webui.demo_stories import SAMPLE_TEXT, WHO


def play(
    session: Session, now: Engine, child: Child, started: date, kind: str, steps, start=True
) -> None:
    """Start the child's conference on `started` (unless it is started) and do each step on
    its working day.

    The story's engine has its own clock but shares the parsed diagrams of the real one.
    """
    clock = FixedClock(datetime.combine(started, time(9, 0), LONDON).astimezone(UTC))
    engine = Engine(clock=clock, specs=now.specs)
    if start:
        cases.start_conference(session, engine, child.social_worker, child.id, kind)
    for offset, task_spec, overrides in steps:
        day = workdays.add_working_days(started, offset)
        moment = datetime.combine(day, time(11, 0), LONDON).astimezone(UTC)
        clock.set(max(moment, clock.now() + timedelta(minutes=5)))
        fire_due(session, engine)
        task = open_task(session, child, task_spec)
        actor = acting_user(session, child, task)
        data = form_answers(session, task.form_key, day, started, overrides)
        engine.complete(session, task.id, actor, data)


def open_task(session: Session, child: Child, task_spec: str) -> HumanTask:
    query = (
        select(HumanTask)
        .join(HumanTask.instance)
        .where(
            ProcessInstance.child_id == child.id,
            HumanTask.state == READY,
            HumanTask.task_spec == task_spec,
        )
        .order_by(HumanTask.created_at)
    )
    task = session.scalars(query).first()
    if task is None:
        raise LookupError(f"demo: {child.full_name} has no open “{task_spec}” step")
    return task


def acting_user(session: Session, child: Child, task: HumanTask) -> User:
    if task.assignee_id is not None:
        return session.get(User, task.assignee_id)
    who = WHO.get(task.task_spec)
    if who == "social_worker":
        return child.social_worker
    if who:
        return user_by_username(session, who)
    return users_with_role(session, task.role)[0]


def form_answers(
    session: Session, form_key: str, day: date, started: date, overrides: dict
) -> dict:
    """A valid answer to every field of the form; whole numbers in `overrides` for date
    fields are working days after the story's start."""
    data = {}
    for field in forms.load(form_key).fields:
        if field.name in overrides:
            data[field.name] = _resolve(overrides[field.name], field, started)
        elif not field.required_if:
            value = _sample(session, field, day)
            if value is not None:
                data[field.name] = value
    return data


def _resolve(value, field, started: date):
    if field.type == "date" and isinstance(value, int):
        return workdays.add_working_days(started, value).isoformat()
    if field.type == "list" and isinstance(value, list):
        dated = {f.name for f in field.item_fields if f.type == "date"}
        return [
            {
                k: (workdays.add_working_days(started, v).isoformat() if k in dated else v)
                for k, v in item.items()
            }
            for item in value
        ]
    return value


def _sample(session: Session, field, day: date):
    if field.type == "date":
        return day.isoformat()
    if field.type in ("text", "textarea"):
        return SAMPLE_TEXT
    if field.type == "time":
        return "10:00"
    if field.type == "yes_no":
        return False
    if field.type == "list":
        return []
    if field.type in ("radios", "select", "checkboxes"):
        if field.options_from:
            role = field.options_from.partition(":")[2]
            first = users_with_role(session, role)[0].username if field.required else None
        else:
            first = field.options[0]["value"]
        return [first] if field.type == "checkboxes" else first
    return None


def fire_due(session: Session, engine: Engine) -> None:
    """The timer sweep at the story's clock: reminders and escalations as they happened."""
    timers.sweep(reusing(session), engine, "demo")
