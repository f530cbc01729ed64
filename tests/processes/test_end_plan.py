"""A plan's endings without a conference: died, left the UK, moved to another council."""

from datetime import date

import pytest

from engine.casework import cases
from engine.platform.errors import EngineError
from tests.processes.driver import on_a_plan


def begin(case):
    case.at("2027-03-01 09:00")
    return cases.start_plan_ending(case.db, case.engine, case.staff["sw"], case.child.id)


@pytest.mark.parametrize("reason", ["died", "left_uk"])
def test_an_agreed_ending_closes_the_plan_and_its_workflows(case, reason):
    plan = on_a_plan(case)
    begin(case)
    assert case.ready()["record_plan_ending"].assignee_id == case.staff["sw"].id
    case.do("record_plan_ending", ending_reason=reason)
    assert case.ready()["agree_plan_ending"].assignee_id == case.staff["tm"].id
    case.do("agree_plan_ending")
    case.db.refresh(plan)
    assert (plan.ended_on, plan.end_reason) == (date(2027, 3, 1), reason)
    assert [i.status for i in case.instances("rcpc")] == ["terminated"]
    assert [i.status for i in case.instances("core_group")] == ["terminated"]
    assert [i.status for i in case.instances("end_plan")] == ["completed"]
    assert case.ready() == {}


def test_a_transfer_out_records_the_receiving_council(case):
    plan = on_a_plan(case)
    begin(case)
    case.do(
        "record_plan_ending",
        ending_reason="transferred_out",
        receiving_authority="Kent County Council",
        ending_details="Family moved to Margate.",
    )
    case.do("agree_plan_ending")
    case.db.refresh(plan)
    assert plan.end_reason == "transferred_out"
    assert plan.end_details == "Moved to Kent County Council. Family moved to Margate."


def test_a_manager_who_does_not_agree_keeps_the_plan(case):
    plan = on_a_plan(case)
    begin(case)
    case.do("record_plan_ending")
    case.do("agree_plan_ending", ending_agreed=False, ending_comment="Family still here.")
    case.db.refresh(plan)
    assert plan.ended_on is None
    assert [i.status for i in case.instances("rcpc")] == ["running"]


def test_only_a_child_on_a_plan_can_have_it_ended(case):
    with pytest.raises(EngineError, match="not on a child protection plan"):
        begin(case)


def test_a_child_on_a_plan_gets_reviews_not_a_new_initial_conference(case):
    on_a_plan(case)
    with pytest.raises(EngineError, match="already on a child protection plan"):
        case.start()
