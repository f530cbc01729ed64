"""The managers' work views, from a case run through the diagrams and left late: the review
of Friday 9 April 2027 is escalated, then held late with a reason."""

from datetime import date, timedelta

from sqlalchemy import insert

from engine.access import access
from engine.models import HumanTask, ProcessInstance, User, manager_views, performance
from engine.models.instance_search import InstanceFilter, search
from engine.models.instances import READY, RUNNING, SUSPENDED
from engine.models.people import Child, user_by_username
from engine.models.processes import ProcessVersion
from tests.factories import make_user
from tests.processes.driver import Case, on_a_plan

LATE = date(2027, 4, 12)


def late_review(db, engine, clock) -> Case:
    case = Case(db, engine, clock, reload=False)
    on_a_plan(case)
    case.at("2027-04-12 00:01")  # the review was due on Friday 9 April: escalated
    case.sweep()
    return case


def test_overdue_now_names_the_child_holder_lateness_and_escalation(db, engine, clock):
    case = late_review(db, engine, clock)
    rows = manager_views.overdue_now(db, LATE)
    # The first core group (due 25 January) is the social worker's, escalated twice; the
    # review's booking (due 24 February) waits for business support, escalated twice too.
    assert [(r.title, r.due_on, r.holder, r.role, r.escalation_level) for r in rows] == [
        ("Record the core group meeting", date(2027, 1, 25), "Sw", "social_worker", 2),
        ("Book the conference", date(2027, 2, 24), None, "business_support", 2),
    ]
    first = rows[0]
    assert (first.reference, first.given_name, first.team) == (
        case.child.reference,
        "Amara",
        "North",
    )
    assert [r.due_on for r in rows] == sorted(r.due_on for r in rows)  # longest late first
    assert manager_views.overdue_now(db, LATE, team="South") == []
    team = {r.task_id for r in manager_views.team_tasks(db, ["North"])}
    assert {r.task_id for r in rows} <= team  # the team's view holds its overdue steps too
    # A team manager of another team sees none of it.
    south = make_user(db, "tm_south", "team_manager", team="South")
    assert manager_views.overdue_now(db, LATE, None, access.child_filter(south, Child.id)) == []


def test_escalations_are_open_until_the_reason_is_agreed(db, engine, clock):
    case = late_review(db, engine, clock)
    tm = user_by_username(db, "tm")
    rows = manager_views.escalations_to(db, set(tm.roles), access.child_filter(tm, Child.id))
    review = [(e.step, e.level, is_open) for e, child, is_open in rows if e.step == "review_held"]
    assert review == [("review_held", 1, True)]
    second = manager_views.escalations_to(db, {"service_manager"})
    assert sorted((e.step, e.level) for e, _c, _o in second) == [("booking", 2), ("core_group", 2)]
    case.do("book_conference", conference_date="2027-04-14", booking_reason="Parents asked.")
    case.do("send_invitations", invitations_sent_date="2027-04-12")
    case.at("2027-04-14 15:00")
    case.do("hold_review", held_date="2027-04-14")
    case.do("agree_review_held_late", late_explanation="No chair was free.")
    rows = manager_views.escalations_to(db, {"team_manager"})
    assert [(e.step, is_open) for e, _c, is_open in rows if e.step == "review_held"] == [
        ("review_held", False)
    ]
    reasons = manager_views.late_reasons(db, date(2027, 4, 1), date(2027, 4, 30))
    assert [tuple(r) for r in reasons] == [("review_held", "North", "chair_availability", 1)]
    assert manager_views.late_reasons(db, date(2027, 5, 1), date(2027, 5, 31)) == []


def test_instances_are_found_by_the_childs_name_or_reference(db, engine, clock):
    case = late_review(db, engine, clock)
    for text in ("okoye", "Amara O", case.child.reference.lower()):
        found = search(db, InstanceFilter(child=text), LATE)
        assert {i.child_id for i in found.instances} == {case.child.id}, text
    assert search(db, InstanceFilter(child="Nobody"), LATE).matching == 0
    found = search(db, InstanceFilter(child="amara", process="rcpc"), LATE)
    [review] = found.instances
    assert found.due[review.id] == date(2027, 2, 24) and review.id in found.overdue_ids
    assert found.holders[review.id] == ["Unclaimed: business support"]


def test_what_falls_due_for_a_team(db, engine, clock):
    case = late_review(db, engine, clock)
    rows = manager_views.falling_due(db, ["North"], date(2027, 1, 1), date(2027, 5, 10))
    assert [(due, what, ref) for due, what, _id, ref, *_name in rows] == [
        (date(2027, 1, 25), "Core group 1 due", case.child.reference),
        (date(2027, 1, 25), "Record the core group meeting", case.child.reference),
        (date(2027, 2, 24), "Book the conference", case.child.reference),
        (date(2027, 4, 9), "Review conference 1 due", case.child.reference),
    ]
    assert manager_views.falling_due(db, ["South"], date(2027, 1, 1), date(2027, 5, 10)) == []


def test_a_steps_team_is_its_holders_else_its_childs_social_workers(db):
    """The views choose a team's steps by sets of people, not by each step's holder: the
    same rule as the team column (holder's team, else the child's social worker's, else
    "No team"), whoever holds the step, and never a step of an instance not running."""
    people = [("sw_n", "North"), ("tm_s", "South"), ("chair", None)]
    db.execute(
        insert(User),
        [{"id": n, "username": u, "display_name": u, "email": f"{u}@x.invalid", "team": team,
          "active": True} for n, (u, team) in enumerate(people, 1)],
    )  # fmt: skip
    db.execute(
        insert(Child),
        [{"id": 1, "reference": "C1", "given_name": "A", "family_name": "B", "social_worker_id": 1},
         {"id": 2, "reference": "C2", "given_name": "C", "family_name": "D"}],
    )  # fmt: skip
    db.execute(
        insert(ProcessVersion),
        [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h", "bpmn_xml": "",
          "deployed_by": "tests"}],
    )  # fmt: skip
    steps = {  # id: (holder, child, days late or None for undated, instance running)
        "sw": (1, 1, 9, True),
        "pool": (None, 1, 8, True),
        "chair": (3, 1, 7, True),
        "south": (2, 1, 6, True),
        "no-team": (None, 2, 5, True),
        "undated": (1, 1, None, True),
        "suspended": (1, 1, 10, False),
    }
    db.execute(
        insert(ProcessInstance),
        [{"id": n, "process_id": "p", "version_id": 1, "child_id": child, "state": "",
          "lock_version": 1, "status": RUNNING if running else SUSPENDED}
         for n, (_holder, child, _late, running) in enumerate(steps.values(), 1)],
    )  # fmt: skip
    db.execute(
        insert(HumanTask),
        [{"id": key, "instance_id": n, "child_id": child, "assignee_id": holder, "state": READY,
          "task_spec": "t", "title": key, "role": "r",
          "due_on": None if late is None else LATE - timedelta(days=late)}
         for n, (key, (holder, child, late, _running)) in enumerate(steps.items(), 1)],
    )  # fmt: skip
    db.commit()

    def listed(rows):
        return [(r.task_id, r.team) for r in rows]

    north = [("sw", "North"), ("pool", "North"), ("chair", "North")]
    assert listed(manager_views.overdue_now(db, LATE)) == [
        *north,
        ("south", "South"),
        ("no-team", "No team"),
    ]
    assert listed(manager_views.overdue_now(db, LATE, "North")) == north
    assert listed(manager_views.overdue_now(db, LATE, "South")) == [("south", "South")]
    assert listed(manager_views.overdue_now(db, LATE, "No team")) == [("no-team", "No team")]
    assert listed(manager_views.team_tasks(db, ["North"])) == [*north, ("undated", "North")]
    both = listed(manager_views.team_tasks(db, ["South", "North"]))
    assert both == [*north, ("south", "South"), ("undated", "North")]
    counted = sorted(performance.overdue_counts(db, LATE))  # the dashboard's, by the same rule
    assert counted == [("No team", 1), ("North", 3), ("South", 1)]
