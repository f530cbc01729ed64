"""The decision's reasons, the plan's outcomes, lead social worker and core group (issue 22)."""

from sqlalchemy import select

from engine.documents import document_data, document_render
from engine.models import Conference, Invitation, Plan
from tests.factories import make_user
from tests.processes.driver import on_a_plan
from tests.processes.test_rcpc import hold_first_review, reviews


def test_the_conference_names_the_lead_social_worker_and_core_group(case):
    case.staff["sw2"] = make_user(case.db, "sw2", "social_worker")
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-04 09:00")
    case.do("book_conference")
    case.do("send_invitations")
    case.at("2027-01-11 15:00")
    case.do("hold_conference", lead_social_worker="sw2")
    conference = case.db.scalars(select(Conference).where(Conference.kind == "icpc")).one()
    plan = case.db.scalars(select(Plan)).one()
    assert plan.lead_social_worker_id == case.staff["sw2"].id
    assert conference.decision_reasons.startswith("Repeated neglect")
    assert conference.plan_outcomes.startswith("Amara's health needs")
    core = case.db.scalars(select(Invitation).where(Invitation.core_group.is_(True)))
    assert sorted(i.person.name for i in core) == ["Dr Asha Patel", "Grace Okoye"]
    for kind in ("decision_letter", "minutes"):
        doc = document_data.gather(case.db, conference.id, kind, case.clock.today())
        html = document_render.render_html(doc).replace("&#39;", "'")
        assert "Repeated neglect of health needs despite support offered." in html
        assert "Amara's health needs are met" in html
        assert "Lead social worker: Sw2." in html
        assert "Core group: Grace Okoye (Mother), Dr Asha Patel (GP)." in html


def test_a_review_can_name_a_new_lead_social_worker(case):
    case.staff["sw2"] = make_user(case.db, "sw2", "social_worker")
    on_a_plan(case)
    plan = case.db.scalars(select(Plan)).one()
    assert plan.lead_social_worker_id == case.staff["sw"].id
    hold_first_review(case, lead_social_worker="sw2", decision_reasons="Progress is slow.")
    case.db.expire_all()
    assert case.db.get(Plan, plan.id).lead_social_worker_id == case.staff["sw2"].id
    assert reviews(case)[0].decision_reasons == "Progress is slow."
