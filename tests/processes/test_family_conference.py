"""Brothers and sisters at one family conference, through the real diagrams (issue 22).

Three siblings' initial conferences: booked once, moved once, decided per child, each child's
own due date kept, and the dashboard counting one conference and three children.
"""

from datetime import date

import pytest
from sqlalchemy import select

from engine.casework import family_conferences, rescheduling
from engine.documents import document_data, document_render
from engine.models import AuditEvent, Conference, Plan
from engine.models.conferences import invitations_for
from engine.models.families import group_children
from engine.platform.errors import InvalidValue
from engine.reporting import dashboard, dashboard_summary
from tests.factories import make_user

JANUARY = (date(2027, 1, 1), date(2027, 1, 31))
REASON = "The family asked for one meeting for all three children."


def conference_of(case) -> Conference:
    query = select(Conference).where(
        Conference.child_id == case.child.id, Conference.kind == "icpc"
    )
    return case.db.scalars(query).one()


def join(case, sibling, reason=None):
    return family_conferences.join(
        case.db, case.engine, case.staff["bs"], conference_of(sibling).id,
        conference_of(case).id, reason,
    )  # fmt: skip


@pytest.fixture
def family(case):
    """Amara and her brother and sister, strategy discussions held; Amara's conference
    booked for Monday 11 January. Femi's discussion was earlier, so hers is due earlier."""
    ada, femi = case.sibling("Ada"), case.sibling("Femi")
    case.at("2026-12-18 14:00")
    for child in (case, ada):
        child.start()
        child.do("record_strategy_discussion")
    femi.start()
    femi.do(
        "record_strategy_discussion",
        strategy_discussion_date="2026-12-10",
        s47_start_date="2026-12-10",
    )
    case.at("2026-12-21 10:00")
    case.do("book_conference")
    for sibling in (ada, femi):
        family_conferences.link_siblings(
            case.db, case.staff["sw"], case.clock.now(), case.child.id, sibling.child.id
        )
    return case, ada, femi


def test_a_family_conference_is_booked_once_and_decided_per_child(family):
    case, ada, femi = family
    join(case, ada)
    with pytest.raises(InvalidValue, match="after the date the conference is due"):
        join(case, femi)  # the 11th is past Femi's own due date: the booker says why
    join(case, femi, REASON)
    rows = [conference_of(c) for c in (case, ada, femi)]
    assert len({r.group_id for r in rows}) == 1 and rows[0].group_id is not None
    assert {(r.scheduled_on, r.scheduled_time, r.venue) for r in rows} == {
        (date(2027, 1, 11), "10:00", "Civic Centre, room 2")
    }
    assert rows[2].due_on < rows[0].due_on  # each child's statutory date stays their own
    assert rows[2].booking_reason == REASON and rows[1].booking_reason is None
    names = [c.given_name for c in group_children(case.db, rows[0].group_id)]
    assert len(names) == 3 and names[1:] == ["Ada", "Femi"]
    # Each sibling's own booking step was done with the family's booking as they joined.
    assert not {"book_conference"} & (set(ada.ready()) | set(femi.ready()))
    case.do("send_invitations")
    decisions = {case: ("cp_plan", "NEG"), ada: ("cp_plan", "EMO"), femi: ("cin_plan", None)}
    # One set of invitations: each sibling's own step was done with the family's.
    for child in (ada, femi):
        assert "send_invitations" not in child.ready()
        invited = [i.person.name for i in invitations_for(case.db, conference_of(child).id)]
        assert invited == ["Grace Okoye", "Tom Okoye", "Robin Hall", "Dr Asha Patel"]
    case.at("2027-01-11 15:00")
    case.do("hold_conference")  # the father sent apologies (the standard answers)
    # One attendance record: a sibling's chair's form leaves it to the family's record.
    for child, (decision, category) in list(decisions.items())[1:]:
        child.do("hold_conference", decision=decision, category=category, attendance=[])
    recorded = {
        (i.person.name, i.attendance)
        for c in (ada, femi)
        for i in invitations_for(case.db, conference_of(c).id)
    }
    assert ("Tom Okoye", "apologies") in recorded and ("Robin Hall", "attended") in recorded
    plans = {
        p.child_id: p.initial_category for p in case.db.scalars(select(Plan))
    }  # fmt: skip
    assert plans == {case.child.id: "NEG", ada.child.id: "EMO"}
    assert conference_of(femi).decision == "cin_plan"
    assert "hold_conference" not in femi.ready()  # each child's own workflow went on

    for board in (
        dashboard.build(case.db, *JANUARY, date(2027, 2, 1)),
        dashboard_summary.build(case.db, *JANUARY, date(2027, 2, 1)),
    ):
        by_child, by_conference = (
            board.figure("icpc_str_child"),
            board.figure("icpc_str_conference"),
        )
        assert (by_child.total, by_conference.total) == (3, 1)
        # late for Femi, so the family's conference is late by conference
        assert (by_child.met, by_conference.met) == (2, 0)


def test_moving_a_family_conference_moves_every_child(family):
    case, ada, femi = family
    join(case, ada)
    join(case, femi, REASON)
    case.staff["chair2"] = make_user(case.db, "chair2", "conference_chair", team=None)
    rescheduling.reschedule(
        case.db, case.engine, case.staff["bs"], conference_of(ada).id,
        on=date(2027, 1, 12), at="14:00", venue="Town Hall", chair="chair2",
        reason="The chair is ill.",
    )  # fmt: skip
    rows = [conference_of(c) for c in (case, ada, femi)]
    assert {(r.scheduled_on, r.venue, r.chair_id) for r in rows} == {
        (date(2027, 1, 12), "Town Hall", case.staff["chair2"].id)
    }
    events = case.db.scalars(
        select(AuditEvent.child_id).where(AuditEvent.action == "conference.rescheduled")
    ).all()
    assert sorted(events) == sorted(c.child.id for c in (case, ada, femi))
    task = femi.ready()["send_invitations"]  # her steps still to do know the new booking
    assert case.engine.task_data(case.db, task)["conference_date"] == "2027-01-12"


def test_only_a_brother_or_sister_s_open_conference_can_be_joined(family):
    case, ada, _femi = family
    stranger = case.sibling("Lee", "Ward")
    stranger.start()
    stranger.do("record_strategy_discussion")
    with pytest.raises(InvalidValue, match="not recorded as a brother or sister"):
        join(case, stranger)
    with pytest.raises(InvalidValue, match="booked and that one is not"):
        join(ada, case)  # Amara's booked conference cannot join Ada's unbooked one
    join(case, ada)
    with pytest.raises(InvalidValue, match="already a family one"):
        join(case, ada)
    # Two families found to be one (a half-brother linked to each side) become one family.
    other = case.sibling("Kofi")
    link = family_conferences.link_siblings
    link(case.db, case.staff["sw"], case.clock.now(), stranger.child.id, other.child.id)
    link(case.db, case.staff["sw"], case.clock.now(), other.child.id, ada.child.id)
    assert len({c.family_id for c in (case.child, ada.child, stranger.child, other.child)}) == 1
    with pytest.raises(InvalidValue, match="not the child themself"):
        family_conferences.link_siblings(
            case.db, case.staff["sw"], case.clock.now(), case.child.id, case.child.id
        )


def test_a_sibling_s_form_opens_with_the_family_s_invitations_and_attendance(family):
    """Ada's case was on hold as the family's invitations went out, so her own step was not
    done with them: once resumed, her form is brought up to date with the family's."""
    case, ada, _femi = family
    join(case, ada)
    instance = conference_of(ada).instance_id
    case.engine.suspend(case.db, instance, case.staff["tm"], "Checking the family's address")
    case.do("send_invitations")
    case.engine.resume(case.db, instance, case.staff["tm"])
    task = ada.ready()["send_invitations"]
    data = case.engine.task_data(case.db, task)
    assert data["family"] == []  # ready before the family's invitations went out
    opened = family_conferences.form_start(case.db, "send_invitations", data)
    assert [p["name"] for p in opened["family"]] == ["Grace Okoye", "Tom Okoye"]
    ada.do("send_invitations", family=opened["family"], agencies=opened["agencies"])
    case.at("2027-01-11 15:00")
    case.do("hold_conference")
    data = case.engine.task_data(case.db, ada.ready()["hold_conference"])
    rows = family_conferences.form_start(case.db, "hold_conference", data)["attendance"]
    assert {r["name"]: r["attendance"] for r in rows}["Tom Okoye (Father)"] == "apologies"
    assert family_conferences.form_start(case.db, "decision_letter", data) is data


def test_what_one_child_s_record_holds_does_not_reach_a_sibling_s_papers(family):
    """The family's invitees carry names and agencies only: an address on Amara's record (and
    withheld there from the father) is neither copied to Ada's record nor in her papers."""
    case, ada, _femi = family
    join(case, ada)
    refuge = "Flat 2, Refuge House"
    grace = {"name": "Grace Okoye", "relationship": "Mother", "address": refuge}
    case.do("send_invitations", family=[grace, {"name": "Tom Okoye", "relationship": "Father"}])
    # Ada's own invitations went out with the family's, by name and relationship only.
    assert "send_invitations" not in ada.ready()
    people = [i.person for i in invitations_for(case.db, conference_of(ada).id)]
    assert "Grace Okoye" in [p.name for p in people]
    assert refuge not in str([(p.address, p.communication_needs) for p in people])
    papers = [
        document_data.gather(case.db, conference_of(ada).id, kind, date(2027, 1, 5))
        for kind in ("invitation", "agenda")
    ]
    assert refuge not in str(papers) and "Grace Okoye" in str(papers)
    agenda = document_render.render_html(papers[1])
    assert f"a family conference also for {case.child.full_name}" in agenda
    assert refuge in str(
        document_data.gather(case.db, conference_of(case).id, "invitation", date(2027, 1, 5))
    )


def test_a_reader_sees_only_the_children_of_the_family_whose_records_they_may_see(family):
    """The police officer is invited for Amara only: her conference page names no sibling."""
    case, ada, _femi = family
    ada.do("book_conference")  # the same booking, each child's invitations sent apart
    gp_only = [{"agency": "gp", "name": "Dr Asha Patel", "email": "gp@example.invalid"}]
    ada.do("send_invitations", agencies=gp_only)
    case.do("send_invitations")  # the police among those invited for Amara
    join(case, ada)
    police, social_worker = case.staff["police"], case.staff["sw"]
    amara = conference_of(case)
    seen = family_conferences.for_page(case.db, police, amara)
    assert [child.id for child, _row in seen.members] == [case.child.id]
    assert family_conferences.visible_siblings(case.db, police, case.child) == []
    both = family_conferences.for_page(case.db, social_worker, amara)
    assert {child.id for child, _row in both.members} == {case.child.id, ada.child.id}
