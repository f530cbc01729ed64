"""Checking one child's connection gives the same answer as the list of connected children."""

from sqlalchemy import select

from engine.casework import family_links, records
from engine.models.case_access import connected_child_ids, is_connected, is_report_author
from engine.models.conferences import CasePerson, Conference, Report
from engine.models.instances import ProcessInstance
from engine.models.people import Child
from engine.workflow import step_context
from engine.workflow.step_context import StepContext
from tests.factories import add_conference, complete, make_child, make_user, start_icpc
from tests.processes.driver import Case, invited

STRATEGY = {
    "strategy_discussion_date": "2026-03-02",
    "s47_start_date": "2026-03-02",
    "outcome": "icpc",
}


def test_one_child_at_a_time_agrees_with_the_whole_list(db, engine):
    staff, first, instance = start_icpc(db, engine)
    other_sw = make_user(db, "sw_south", "social_worker", team="South")
    theirs = make_child(db, engine, other_sw, given="Noah")
    chaired = make_child(db, engine, other_sw, given="Ivy")
    add_conference(
        db, instance, chaired, due_on=instance.started_at.date(), chair_id=staff["chair"].id
    )
    complete(
        db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY
    )  # to a pool
    children = list(db.scalars(select(Child.id)))
    for user in staff.values():
        for team_wide in (False, True):
            connected = set(db.scalars(connected_child_ids(user, team_wide)))
            one_by_one = {c for c in children if is_connected(db, user, c, team_wide)}
            assert one_by_one == connected, (user.username, team_wide)
    assert is_connected(db, staff["chair"], chaired.id, False)
    assert not is_connected(db, staff["sw"], theirs.id, True)
    assert is_connected(db, staff["bs"], first.id, False)  # booking: their pool's step


def _report(case, **where) -> Report:
    return case.db.scalars(select(Report).filter_by(**where)).one()


def test_a_family_member_with_the_officers_name_is_not_the_officer(db, engine, clock):
    """The uncle shares the officer's name; the report he sends by his link is his, and the
    officer (who sees only their own report) is not its author."""
    case = Case(db, engine, clock, reload=False)
    family = [{"name": "Grace Okoye", "relationship": "Mother"}]
    invited(case, family=[*family, {"name": "Robin Hall", "relationship": "Uncle"}])
    uncle = db.scalars(select(CasePerson).filter_by(kind="family", name="Robin Hall")).one()
    conference = db.scalars(select(Conference)).one()
    token = family_links.issue(
        db, case.staff["sw"], conference, uncle.id, family_links.PARENT_REPORT, "u@x.org",
        clock.now(),
    )  # fmt: skip
    family_links.submit(db, token, {"strengths": "Close family"}, {"strengths": "S"}, clock.now())
    police = case.staff["police"]
    uncles = _report(case, kind="parent")
    assert uncles.author == "Robin Hall" and uncles.person_id == uncle.id
    assert not is_report_author(db, police, uncles)
    assert is_report_author(db, police, _report(case, agency="police"))


def test_two_professionals_with_one_name_keep_their_own_records_and_reports(db, engine, clock):
    """A second Robin Hall, a nurse with her own account, is a second person on the record:
    the officer's record (and the invitations and reports it opens) stays the officer's."""
    case = Case(db, engine, clock, reload=False)
    nurse = make_user(db, "nurse", "agency_professional", team=None)
    agencies = [
        {"agency": "police", "name": "Robin Hall", "username": "police"},
        {"agency": "health_visitor", "name": "Robin Hall", "username": "nurse"},
    ]
    invited(case, agencies=agencies)
    people = db.scalars(select(CasePerson).filter_by(kind="professional")).all()
    assert sorted((p.name, p.user_id) for p in people) == sorted(
        [("Robin Hall", case.staff["police"].id), ("Robin Hall", nurse.id)]
    )
    police_report, health_report = (
        _report(case, agency="police"),
        _report(case, agency="health_visitor"),
    )
    assert is_report_author(db, case.staff["police"], police_report)
    assert not is_report_author(db, case.staff["police"], health_report)
    assert is_report_author(db, nurse, health_report)
    assert not is_report_author(db, nurse, police_report)


def test_the_same_officer_invited_again_is_the_same_person(db, engine, clock):
    """Named differently the second time, the officer's account still finds their record."""
    case = Case(db, engine, clock, reload=False)
    invited(case)
    before = db.scalars(select(CasePerson).filter_by(user_id=case.staff["police"].id)).one()
    conference = db.scalars(select(Conference)).one()
    instance = db.get(ProcessInstance, conference.instance_id)
    again = [{"agency": "police", "name": "DC Robin Hall", "username": "police"}]
    with step_context.bound(StepContext(db, instance, clock.now())):
        (asked,) = records.record_invitations(conference.id, "2027-01-05", [], again, False)
    assert _report(case, id=asked["report_id"]).person_id == before.id
    assert db.scalars(select(CasePerson).filter_by(user_id=before.user_id)).all() == [before]
