"""Demo scenes of a process owner's slips and what they cause: a step that fails and is kept
for the process owner, and a timer that fails every retry and stops, its managers emailed.

Both slips are a week count whose condition is never met: it passes the deploy checks and
runs until the expression time limit, set low here so the demo loads quickly.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.diagrams import diagram_editing
from engine.diagrams.version_moves import Selection, VersionMoves
from engine.models.instances import READY, HumanTask, ProcessInstance
from engine.models.people import user_by_username
from engine.models.processes import latest_version
from engine.models.timers import WAITING, Timer
from engine.platform import settings
from engine.platform.clock import FixedClock
from engine.platform.errors import StepFailed
from engine.service import Engine
from engine.workflow import timers
from webui.demo_playing import acting_user, fire_due, form_answers, open_task

# A week count whose condition is never met: it passes the checks and runs until its limit.
LOOPING_WEEKS = """weeks = 0
while weeks != 7 * setting("core_group_interval_weeks") + 0.5:
    weeks = weeks + 1
"""
NEXT_MEETING = "<bpmn:script>if plan_is_open(plan_id):"
QUICK_LIMIT = {"expression_time_limit_seconds": 0.2}


def diagram_failure(session: Session, engine: Engine) -> None:
    """A process owner's slip and what it caused: a core group version whose script never
    ends, one case moved onto it that fails at its step, and the slip undone by a new
    version. That version's **Failed steps and timers** page shows the step and the case."""
    owner = user_by_username(session, "po1")
    good = latest_version(session, "core_group")
    query = select(HumanTask).where(
        HumanTask.task_spec == "core_group_meeting", HumanTask.state == READY
    )
    waiting = session.scalars(query.order_by(HumanTask.created_at)).first()
    if owner is None or good is None or waiting is None or NEXT_MEETING not in good.bpmn_xml:
        return
    now, today = engine.clock.now(), engine.clock.today()
    broken_xml = good.bpmn_xml.replace(
        NEXT_MEETING, f"<bpmn:script>{LOOPING_WEEKS}if plan_is_open(plan_id):"
    )
    broken, _new = diagram_editing.deploy(
        session,
        owner,
        "core_group",
        broken_xml,
        "Count the weeks to the next meeting",
        forms.exists,
        now,
    )
    VersionMoves(engine).migrate(
        session, owner, Selection("core_group", (waiting.instance_id,)), broken.id
    )
    task = open_task(session, waiting.instance.child, "core_group_meeting")
    data = form_answers(session, task.form_key, today, today, {})
    actor = acting_user(session, task.instance.child, task)
    # The step fails, and is kept for the process owner: that is the point.
    with settings.using(**QUICK_LIMIT), contextlib.suppress(StepFailed):
        engine.complete(session, task.id, actor, data)
    diagram_editing.deploy(
        session,
        owner,
        "core_group",
        good.bpmn_xml,
        "Undo the week count: it never ended",
        forms.exists,
        now,
    )


REMIND_LEAD = 'add_working_days(core_group_due_date, -setting("reminder_working_days_before_due"))'
REMIND = 'remind("core_group_meeting", core_group_due_date)'
REMIND_SCRIPT = f"<bpmn:script>{REMIND}"


def timer_failure(session: Session, engine: Engine) -> None:
    """A timer that failed every retry and stopped. A core group version reminds six weeks
    ahead (as soon as a meeting is opened) with a week count in the reminder's script that
    never ends; one waiting case is moved onto it a quarter of an hour ago. Its reminder is
    due at once and fails at each sweep, backing off, until it stops and its managers are
    emailed; then the slip is undone by a new version. The case's instance page offers
    **Retry**, the **Scheduler** page lists it, the outbox holds the managers' emails."""
    owner = user_by_username(session, "po1")
    good = latest_version(session, "core_group")
    case = _waiting_reminder(session)
    if owner is None or good is None or case is None or REMIND_SCRIPT not in good.bpmn_xml:
        return
    clock = FixedClock(engine.clock.now() - timedelta(minutes=15))
    story = Engine(clock=clock, specs=engine.specs)
    broken_xml = good.bpmn_xml.replace(
        REMIND_LEAD, "add_working_days(core_group_due_date, -30)"
    ).replace(REMIND_SCRIPT, f"<bpmn:script>{LOOPING_WEEKS}{REMIND}")
    broken, _new = diagram_editing.deploy(
        session,
        owner,
        "core_group",
        broken_xml,
        "Remind six weeks ahead, counting the weeks left",
        forms.exists,
        clock.now(),
    )
    VersionMoves(story).migrate(session, owner, Selection("core_group", (case,)), broken.id)
    with settings.using(**QUICK_LIMIT):
        for _ in range(timers.MAX_ATTEMPTS):
            fire_due(session, story)
            session.expire_all()
            instance = session.get(ProcessInstance, case)
            if instance.timer_failed_at is not None or instance.lease_until is None:
                break
            clock.set(instance.lease_until + timedelta(seconds=1))
    diagram_editing.deploy(
        session,
        owner,
        "core_group",
        good.bpmn_xml,
        "Undo the reminder's week count: it never ended",
        forms.exists,
        clock.now(),
    )


def _waiting_reminder(session: Session) -> int | None:
    """The newest core group case whose meeting's reminder is still to come, on a version
    without a slip (not the case `diagram_failure` moved)."""
    query = (
        select(HumanTask.instance_id)
        .join(
            Timer,
            (Timer.instance_id == HumanTask.instance_id)
            & (Timer.element == "core_group_meeting_remind")
            & (Timer.status == WAITING),
        )
        .where(HumanTask.task_spec == "core_group_meeting", HumanTask.state == READY)
        .order_by(HumanTask.created_at.desc())
    )
    for instance_id in session.scalars(query):
        instance = session.get(ProcessInstance, instance_id)
        if LOOPING_WEEKS not in instance.version.bpmn_xml:
            return instance_id
    return None
