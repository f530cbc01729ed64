"""Withholding from several people, or from a whole group, in one step (issue 21).

A group is resolved when data is read: a family member added to the case after the chair
agreed is covered as well, and a professional never is.
"""

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.models import CasePerson, ConferenceRequest, Report, WithheldItem
from engine.models.withholding import request_named
from engine.platform.errors import InvalidValue
from tests.processes.driver import invited

MOTHERS_ADDRESS = {
    "kind": "withhold",
    "details": "Keep the mother's new address from the father and the police.",
    "person": "Grace Okoye",
    "field": "address",
}
GP = "Dr Asha Patel"
GP_REPORT = {
    "kind": "withhold",
    "details": "The GP's report holds third-party health details.",
    "field": "report",
    "report": GP,
}


def person(case, name) -> CasePerson:
    return case.db.scalars(select(CasePerson).where(CasePerson.name == name)).one()


def agreed(case, request: dict) -> ConferenceRequest:
    invited(case)
    case.at("2027-01-07 09:00")
    case.do("social_worker_report", requests=[request])
    case.do("decide_requests", requests=[{**request, "decision": "agreed", "reason": "Risk."}])
    return case.db.scalars(select(ConferenceRequest)).one()


def hidden_from(case, reader) -> set[tuple]:
    return withholding.hidden_keys(case.db, reader, case.child.id)


def test_a_request_naming_several_people_withholds_from_each(case):
    row = agreed(case, {**MOTHERS_ADDRESS, "withheld_from": "Tom Okoye, Robin Hall"})
    mother = person(case, "Grace Okoye")
    items = case.db.scalars(select(WithheldItem).order_by(WithheldItem.id)).all()
    assert [i.from_person_id for i in items] == [
        person(case, "Tom Okoye").id,
        person(case, "Robin Hall").id,
    ]
    key = ("person", mother.id, "address")
    assert key in hidden_from(case, person(case, "Tom Okoye"))
    assert key in hidden_from(case, case.staff["police"])  # Robin Hall's own account
    assert key not in hidden_from(case, mother)
    assert request_named(row) == "Withhold Grace Okoye's address from Tom Okoye and Robin Hall"


def test_all_family_members_covers_one_added_later_and_no_professional(case):
    row = agreed(case, {**GP_REPORT, "withheld_from": "all family members"})
    gp_report = case.db.scalars(select(Report).where(Report.author == "Dr Asha Patel")).one()
    item = case.db.scalars(select(WithheldItem)).one()
    assert (item.from_group, item.from_person_id) == ("family", None)
    key = ("report", gp_report.id, "summary")
    aunt = CasePerson(child_id=case.child.id, kind="family", name="Ada Okoye")
    case.db.add(aunt)
    case.db.commit()
    for name in ("Grace Okoye", "Tom Okoye", "Ada Okoye"):
        assert key in hidden_from(case, person(case, name)), name
    assert key not in hidden_from(case, person(case, "Robin Hall"))
    assert key not in hidden_from(case, case.staff["police"])
    assert request_named(row) == "Withhold the report by Dr Asha Patel from all family members"
    assert withholding.describe_audience(case.db, item) == "All family members"


def test_all_non_professionals_covers_the_family_and_an_advocate(case):
    agreed(case, {**MOTHERS_ADDRESS, "withheld_from": "all non-professionals"})
    advocate = CasePerson(
        child_id=case.child.id,
        kind="professional",
        name="Sam Reid",
        relationship_or_agency="advocate",
    )
    case.db.add(advocate)
    case.db.commit()
    key = ("person", person(case, "Grace Okoye").id, "address")
    assert key in hidden_from(case, person(case, "Tom Okoye"))
    assert key in hidden_from(case, advocate)
    assert key not in hidden_from(case, person(case, "Dr Asha Patel"))


def test_a_group_and_a_professional_together(case):
    row = agreed(case, {**MOTHERS_ADDRESS, "withheld_from": "all family members and Robin Hall"})
    assert sorted((i.from_group or "", i.from_person_id or 0) for i in row_items(case)) == [
        ("", person(case, "Robin Hall").id),
        ("family", 0),
    ]
    assert row.withheld_from_group == "family"
    assert "from all family members and Robin Hall" in request_named(row)


def row_items(case) -> list[WithheldItem]:
    return case.db.scalars(select(WithheldItem)).all()


def test_a_persons_own_details_are_never_withheld_from_them(case):
    agreed(case, {**MOTHERS_ADDRESS, "withheld_from": "all family members"})
    mother = person(case, "Grace Okoye")
    assert ("person", mother.id, "address") not in hidden_from(case, mother)
    assert ("person", mother.id, "address") in hidden_from(case, person(case, "Tom Okoye"))


# ---- requests raised in the diagrams' own steps --------------------------------------------


def test_an_agency_raises_a_request_in_its_report_step_and_the_chair_decides_it(case):
    """The police officer asks in the report step; the social worker's report then hands
    every open request to the chair's decision step, not only the social worker's own."""
    invited(case)
    case.at("2027-01-06 11:00")
    police = next(t for t in case.all_ready("agency_report") if t.assignee_id)
    asked = {**GP_REPORT, "withheld_from": "all family members"}
    case.do("agency_report", task=police, actor="police", agency_requests=[asked])
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.raised_by.username, row.decision) == ("police", None)
    case.do("social_worker_report")  # raises nothing itself
    assert "decide_requests" in case.ready()
    listed = case.engine.task_data(case.db, case.ready()["decide_requests"])["requests"]
    assert [(r["report"], r["withheld_from"]) for r in listed] == [(GP, "all family members")]
    case.do("decide_requests", requests=[{**asked, "decision": "agreed", "reason": "Risk."}])
    item = case.db.scalars(select(WithheldItem)).one()
    assert (item.from_group, item.record) == ("family", "report")


def test_the_chair_raises_a_request_at_pre_contact_and_must_decide_it_before_holding(case):
    invited(case)
    case.at("2027-01-07 09:00")
    case.do("social_worker_report")
    asked = {**MOTHERS_ADDRESS, "withheld_from": "Tom Okoye"}
    case.do("chair_pre_contact", chair_requests=[asked])
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.raised_by.username, row.withheld_from.name) == ("chair", "Tom Okoye")
    case.at("2027-01-11 15:00")
    with pytest.raises(InvalidValue, match="Decide the request to withhold information"):
        case.do("hold_conference")


def test_a_report_kept_from_the_family_is_never_shared_with_a_parent(case):
    from engine.models.conferences import ReportShare
    from engine.models.withholding import shares_for

    invited(case)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    asked = {**GP_REPORT, "withheld_from": "all family members"}
    case.do("social_worker_report", report_shared_date="2027-01-06", requests=[asked])
    gp, police = (
        case.db.scalars(select(Report).where(Report.author == name)).one()
        for name in (GP, "Robin Hall")
    )
    shared = {(s.report_id, s.person_id) for s in case.db.scalars(select(ReportShare))}
    parents = {person(case, n).id for n in ("Grace Okoye", "Tom Okoye")}
    assert {p for r, p in shared if r == police.id} == parents
    assert {p for r, p in shared if r == gp.id} == set()  # asked, while the chair decides
    case.do("decide_requests", requests=[{**asked, "decision": "agreed", "reason": "Risk."}])
    assert shares_for(case.db, [gp.id, police.id])[gp.id] == []
    assert {s.person_id for s in shares_for(case.db, [police.id])[police.id]} == parents


def test_a_report_shared_before_it_is_kept_from_the_family_no_longer_shows_as_shared(case):
    from engine.models.withholding import shares_for

    invited(case)
    case.at("2027-01-06 11:00")
    for task in case.all_ready("agency_report"):
        case.do("agency_report", task=task, actor="police" if task.assignee_id else "bs")
    case.do("social_worker_report", report_shared_date="2027-01-06")
    gp, police = (
        case.db.scalars(select(Report).where(Report.author == name)).one()
        for name in (GP, "Robin Hall")
    )
    assert len(shares_for(case.db, [gp.id])[gp.id]) == 2
    withholding.withhold(
        case.db, case.staff["chair"], case.child.id, "report", gp.id, "summary",
        "group:family", "Third-party health details.", case.clock.now(),
    )  # fmt: skip
    assert shares_for(case.db, [gp.id])[gp.id] == []
    assert len(shares_for(case.db, [police.id])[police.id]) == 2  # only the one withheld
