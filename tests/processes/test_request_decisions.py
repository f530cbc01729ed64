"""What the chair decides on a request to withhold or exclude is done and kept (issue 21)."""

import pytest
from sqlalchemy import select

from engine.access import withholding
from engine.models import AuditEvent, CasePerson, ConferenceRequest, WithheldItem
from engine.platform.errors import InvalidValue
from tests.processes.driver import invited, on_a_plan

WITHHOLD = {
    "kind": "withhold",
    "details": "Keep the mother's new address from the father.",
    "person": "Grace Okoye",
    "field": "address",
    "withheld_from": "Tom Okoye",
}
EXCLUDE = {"kind": "exclude", "details": "Tom has threatened the mother.", "person": "Tom Okoye"}


def person(case, name) -> CasePerson:
    return case.db.scalars(select(CasePerson).where(CasePerson.name == name)).one()


def raised(case, *requests):
    invited(case)
    case.at("2027-01-07 09:00")
    case.do("social_worker_report", requests=list(requests))


def test_an_agreed_withholding_withholds_the_field_from_the_person_named(case):
    raised(case, WITHHOLD)
    case.do("decide_requests", requests=[{**WITHHOLD, "decision": "agreed", "reason": "Risk."}])
    mother, father = person(case, "Grace Okoye"), person(case, "Tom Okoye")
    item = case.db.scalars(select(WithheldItem)).one()
    assert (item.record, item.record_id, item.field) == ("person", mother.id, "address")
    assert (item.from_person_id, item.reason, item.by_id) == (
        father.id,
        "Risk.",
        case.staff["chair"].id,
    )
    assert ("person", mother.id, "address") in withholding.hidden_keys(
        case.db, father, case.child.id
    )
    assert case.db.scalar(select(AuditEvent).where(AuditEvent.action == "information.withheld"))
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.person_id, row.field, row.withheld_from_id) == (mother.id, "address", father.id)


def test_a_refused_request_is_kept_with_the_reason_and_withholds_nothing(case):
    raised(case, WITHHOLD)
    case.do("decide_requests", requests=[{**WITHHOLD, "decision": "refused", "reason": "No risk."}])
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.decision, row.reason) == ("refused", "No risk.")
    assert case.db.scalars(select(WithheldItem)).all() == []


def test_an_agreed_exclusion_says_which_part_of_the_meeting(case):
    raised(case, EXCLUDE)
    agreed = {**EXCLUDE, "decision": "agreed", "reason": "Threats."}
    with pytest.raises(InvalidValue, match="which part of the meeting"):
        case.do("decide_requests", requests=[agreed])
    case.do("decide_requests", requests=[{**agreed, "excluded_from": "The police report"}])
    row = case.db.scalars(select(ConferenceRequest)).one()
    assert (row.decision, row.excluded_from) == ("agreed", "The police report")
    assert row.person_id == person(case, "Tom Okoye").id


def test_a_request_naming_no_one_on_the_record_is_refused(case):
    invited(case)
    case.at("2027-01-07 09:00")
    with pytest.raises(InvalidValue, match="no one called Bob Smith"):
        case.do("social_worker_report", requests=[{**WITHHOLD, "withheld_from": "Bob Smith"}])


def test_holding_the_conference_with_an_undecided_request_is_refused(case):
    raised(case, WITHHOLD)
    case.at("2027-01-11 15:00")
    with pytest.raises(InvalidValue) as refused:
        case.do("hold_conference")
    assert str(refused.value) == (
        "Decide the request to withhold information (Keep the mother's new address from "
        "the father.) before the conference is held."
    )
    assert "decide_requests" in case.ready() and "hold_conference" in case.ready()
    case.do("decide_requests", requests=[{**WITHHOLD, "decision": "refused", "reason": "No."}])
    case.do("hold_conference")
    assert "decide_requests" not in case.ready() and "hold_conference" not in case.ready()


def test_a_report_shared_late_needs_a_reason_even_with_a_request(case):
    invited(case)
    case.at("2027-01-08 09:00")  # the report was due on 7 January
    case.do("social_worker_report", report_shared_date="2027-01-08", requests=[WITHHOLD])
    ready = case.ready()
    assert "decide_requests" in ready and "agree_report_shared_late" in ready


def test_a_review_report_shared_late_needs_a_reason_even_with_a_request(case):
    on_a_plan(case)
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    case.do("send_invitations", invitations_sent_date="2027-02-25")
    case.at("2027-04-07 09:00")
    request = {**WITHHOLD, "person": "", "field": "", "withheld_from": ""}
    case.do("social_worker_report", report_shared_date="2027-04-07", requests=[request])
    ready = case.ready()
    assert "decide_requests" in ready and "agree_report_shared_late" in ready


def test_an_agreed_withholding_naming_only_part_of_what_it_does_is_refused(case):
    raised(case, {**WITHHOLD, "withheld_from": ""})
    agreed = {**WITHHOLD, "withheld_from": "", "decision": "agreed", "reason": "Risk."}
    with pytest.raises(InvalidValue, match="who it is withheld from"):
        case.do("decide_requests", requests=[agreed])
    case.do("decide_requests", requests=[{**agreed, "withheld_from": "Tom Okoye"}])
    assert (
        case.db.scalars(select(WithheldItem)).one().from_person_id == person(case, "Tom Okoye").id
    )
