"""The plan's actions followed at each core group and review (issue 22)."""

import pytest
from sqlalchemy import select

from engine.documents import document_data, document_render
from engine.models import Conference, PlanAction
from engine.platform.errors import InvalidValue
from tests.processes.driver import on_a_plan
from tests.processes.test_rcpc import hold_first_review


def actions(case) -> dict[str, PlanAction]:
    case.db.expire_all()
    return {a.what: a for a in case.db.scalars(select(PlanAction))}


def test_a_core_group_starts_with_the_open_actions_and_records_progress(case):
    on_a_plan(case)
    case.at("2027-01-22 10:00")
    task = case.ready()["core_group_meeting"]
    assert case.engine.task_data(case.db, task)["actions"] == [
        {"action": "Register with a dentist (Grace Okoye, by 1 February 2027)", "status": "open"},
        {"action": "Weekly home visits (Social worker, by 1 April 2027)", "status": "open"},
    ]
    rows = [
        {"action": "Register with a dentist", "status": "done", "progress": "Registered."},
        {"action": "Weekly home visits (Social worker, by 1 April 2027)", "status": "open"},
    ]
    case.do("core_group_meeting", actions=rows)
    found = actions(case)
    assert (found["Register with a dentist"].status, found["Register with a dentist"].progress) == (
        "done",
        "22 January 2027: Registered.",
    )
    assert found["Weekly home visits"].status == "open"
    icpc = case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()
    doc = document_data.gather(case.db, icpc.id, "plan", case.clock.today())
    html = document_render.render_html(doc)
    assert "<td>Done. 22 January 2027: Registered.</td>" in html
    assert "<td>Not done yet</td>" in html


def test_the_review_shows_only_what_is_still_open_and_adds_to_its_history(case):
    on_a_plan(case)
    case.at("2027-01-22 10:00")
    case.do(
        "core_group_meeting",
        actions=[
            {"action": "Register with a dentist", "status": "done"},
            {"action": "Weekly home visits", "status": "open", "progress": "Two of three done."},
        ],
    )
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    case.do("send_invitations", invitations_sent_date="2027-02-25")
    task = case.ready()["hold_review"]
    prefilled = case.engine.task_data(case.db, task)["actions"]
    assert [r["action"] for r in prefilled] == [
        "Weekly home visits (Social worker, by 1 April 2027)"
    ]
    case.at("2027-04-08 15:00")
    rows = [{"action": "Weekly home visits", "status": "dropped", "progress": "Family moved."}]
    case.do("hold_review", held_date="2027-04-08", actions=rows)
    visits = actions(case)["Weekly home visits"]
    assert visits.status == "dropped"
    assert visits.progress == "22 January 2027: Two of three done.\n8 April 2027: Family moved."


def test_an_action_not_on_the_plan_is_refused(case):
    on_a_plan(case)
    case.at("2027-01-22 10:00")
    with pytest.raises(InvalidValue, match="“Buy a car” is not an action of this plan"):
        case.do("core_group_meeting", actions=[{"action": "Buy a car", "status": "done"}])


def test_a_review_records_progress_through_the_driver_default(case):
    on_a_plan(case)
    hold_first_review(case)
    assert {a.status for a in actions(case).values()} == {"open"}
