"""axe-core (from npm) on the main pages: no serious or critical WCAG 2.2 A/AA violation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.models import HumanTask, ProcessInstance
from engine.models.instances import READY
from tests.browser.conftest import browser_sign_in
from tests.browser.journeys import serious_violations, shot, with_axe
from tests.processes.driver import Case, on_a_plan


@pytest.fixture
def planned(db, engine, clock):
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    return case


def check(page, path: str, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    shot(page, f"axe-{name}")
    found = serious_violations(page)
    assert found == [], f"{path}: {found}"


def test_staff_pages_have_no_serious_violations(browser_page, planned, db):
    page = browser_page
    with_axe(page)
    task = db.scalars(select(HumanTask).where(HumanTask.state == READY)).first()
    browser_sign_in(page, task.assignee.username if task.assignee else "sw")
    check(page, "/inbox", "inbox")
    check(page, "/inbox?overdue=yes&sort=child", "inbox-filtered")
    check(page, f"/tasks/{task.id}", "task")
    check(page, f"/children/{planned.child.id}", "child")


def test_manager_pages_have_no_serious_violations(browser_page, planned, db):
    page = browser_page
    with_axe(page)
    instance = db.scalars(select(ProcessInstance).order_by(ProcessInstance.id)).first()
    browser_sign_in(page, "sm")
    check(page, "/instances", "instances")
    check(page, f"/instances/{instance.id}", "instance")
    check(page, "/dashboard", "dashboard")
    check(page, "/dashboard/figure?key=icpc_str_child", "figure")
    check(page, "/census", "census")


def test_requests_on_the_conference_and_hold_pages_have_no_serious_violations(
    browser_page, db, engine, clock
):
    from engine.casework import conference_requests
    from engine.models import Conference
    from tests.processes.driver import invited

    case = Case(db, engine, clock, reload=False)
    invited(case)
    case.at("2027-01-11 09:00")
    conference = db.scalars(select(Conference)).one()
    request = {
        "kind": "exclude",
        "details": "Tom has threatened the mother.",
        "person": "Tom Okoye",
    }
    conference_requests.raise_request(db, case.staff["sw"], conference.id, request, clock.now())
    task = case.ready()["hold_conference"]
    page = browser_page
    with_axe(page)
    browser_sign_in(page, "chair")
    check(page, f"/conferences/{conference.id}", "conference-requests")
    check(page, f"/tasks/{task.id}", "hold-with-requests")
