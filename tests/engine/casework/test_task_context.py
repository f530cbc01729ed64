"""Beside a task's form, the reports received are read for the person looking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access.access import Level
from engine.casework import task_context
from engine.models import HumanTask, Report, WithheldItem
from tests.engine.casework.test_family_links import conference
from tests.processes.driver import Case, held

SECRET = "Police intelligence: " + "an associate of the father has convictions. " * 8


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    held(made)
    return made


def _setting(case, audience: dict):
    report = case.db.scalars(
        select(Report).where(Report.conference_id == conference(case).id, Report.kind == "agency")
    ).first()
    report.summary = SECRET
    case.db.add(
        WithheldItem(
            child_id=case.child.id,
            record="report",
            record_id=report.id,
            field="summary",
            reason="Police intelligence.",
            by_id=case.staff["chair"].id,
            **audience,
        )
    )
    case.db.commit()
    task = case.db.scalars(
        select(HumanTask).where(HumanTask.instance_id == conference(case).instance_id)
    ).first()
    return report, task


def _shown(case, viewer, task) -> str:
    context = task_context.for_task(case.db, viewer, task, Level.FULL)
    return "\n".join(f"{r.agency} {r.author} {r.summary}" for r in context.reports)


def test_a_report_withheld_from_the_viewer_is_not_beside_the_task(case):
    tm = case.staff["tm"]
    report, task = _setting(case, {"from_user_id": tm.id})
    shown = _shown(case, tm, task)
    assert "Police intelligence" not in shown and "convictions" not in shown
    assert report.id not in {
        r.id for r in task_context.for_task(case.db, tm, task, Level.FULL).reports
    }
    assert SECRET in _shown(case, case.staff["sw"], task)  # not withheld from the worker


def test_a_report_withheld_by_role_is_not_beside_the_task(case):
    _report, task = _setting(case, {"from_role": "team_manager"})
    assert "convictions" not in _shown(case, case.staff["tm"], task)
