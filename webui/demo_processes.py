"""Demo data for processes made in the browser: the Children's Meeting, and a retired one.

The process owner imports the Children's Meeting from its file as a new process started from
the child's page, exactly as on the **Make a new process** page; Amara's social worker starts
it, she wants a meeting, and business support has booked it, so the chair's step waits in
their inbox. A second process, made blank for legal planning referrals, has been retired.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import forms
from engine.casework import cases
from engine.diagrams import new_processes
from engine.models.instances import READY, HumanTask
from engine.models.people import Child, user_by_username
from engine.platform import folders
from engine.workflow.runtime import Engine

MEETING_FILE = ("optional", "childrens_meeting.bpmn")


def load(session: Session, engine: Engine) -> None:
    owner = user_by_username(session, "po1")
    path = folders.processes().joinpath(*MEETING_FILE)
    child = session.scalar(select(Child).where(Child.given_name == "Amara"))
    if owner is None or child is None or not path.exists():
        return
    now = engine.clock.now()
    new_processes.create(
        session,
        owner,
        "childrens_meeting",
        "Children's Meeting",
        new_processes.StartModes(from_child_page=True, from_diagrams=False),
        forms.exists,
        now,
        how=new_processes.FILE,
        file=path.read_bytes(),
        filename=path.name,
    )
    started = cases.start_from_child_page(
        session, engine, child.social_worker, child.id, "childrens_meeting"
    )
    today = engine.clock.today()
    _do(session, engine, started.id, "offer_meeting", child.social_worker, {
        "child_spoken_to_date": today.isoformat(),
        "meeting_wanted": "yes",
        "advocate_offered": True,
    })  # fmt: skip
    _do(session, engine, started.id, "arrange_meeting", user_by_username(session, "bs1"), {
        "meeting_date": (today + timedelta(days=7)).isoformat(),
        "meeting_time": "16:00",
        "meeting_place": "At school, in the library",
        "meeting_chair": "chair1",
    })  # fmt: skip
    new_processes.create(
        session,
        owner,
        "legal_planning_referral",
        "Legal planning referral",
        new_processes.StartModes(from_child_page=True, from_diagrams=False),
        forms.exists,
        now,
    )
    new_processes.retire(
        session,
        owner,
        "legal_planning_referral",
        "Referrals now go through the council's legal gateway meeting",
        now,
    )


def _do(session, engine, instance_id, task_spec, actor, data) -> None:
    query = select(HumanTask).where(
        HumanTask.instance_id == instance_id,
        HumanTask.task_spec == task_spec,
        HumanTask.state == READY,
    )
    engine.complete(session, session.scalars(query).one().id, actor, data)
