"""Beside a task's form, the reports received are read for the person looking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.access.access import Level
from engine.casework import conference_requests, task_context
from engine.models import HumanTask, Report
from engine.models.conferences import ConferenceRequest
from tests.engine.casework.test_family_links import conference
from tests.processes.driver import Case, held, invited

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
    case.withhold("report", report.id, "summary", "Police intelligence.", **audience)
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


def test_an_open_request_quoting_an_address_withheld_from_the_viewer(db, engine, clock):
    """A request raised before the conference quotes the mother's address (typed in lower
    case), which is withheld from business support: beside their task the request is named
    and its details shown without the address; the social worker reads it all."""
    made = Case(db, engine, clock, reload=False)
    address = "Flat 2, Refuge House\n8 Quiet Lane\nNorthtown NT1 4QQ"
    invited(made, family=[{"name": "Grace Okoye", "relationship": "Mother", "address": address}])
    grace = made.person("Grace Okoye")
    reason = "Her new address is known to few."
    made.withhold("person", grace.id, "address", reason, from_role="business_support")
    details = "Grace lives at flat 2, refuge house, 8 quiet lane, northtown nt1 4qq now."
    item = {"kind": "withhold", "details": details, "person": "Grace Okoye", "field": "address"}
    conference_requests.raise_request(db, made.staff["sw"], conference(made).id, item, clock.now())
    task = made.all_ready("agency_report")[0]

    def read_by(username: str) -> str:
        context = task_context.for_task(db, made.staff[username], task, Level.FULL)
        assert len(context.open_requests) == 1
        return context.request_texts[context.open_requests[0].id].details

    assert "quiet" not in read_by("bs").lower() and "refuge" not in read_by("bs").lower()
    assert read_by("sw") == details
    assert db.scalars(select(ConferenceRequest)).one().details == details  # nothing written
