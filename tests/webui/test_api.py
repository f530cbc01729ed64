"""The API under /api/v1, called with service accounts' tokens: every rule of the pages holds."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.diagrams import new_processes
from engine.diagrams.new_processes import StartModes
from engine.models import OutboxMessage, Plan
from engine.models.drafts import TaskDraft
from engine.workflow import drafts
from forms import exists as form_exists
from tests.factories import (
    PROCESSES,
    STRATEGY,
    add_conference,
    complete,
    deploy_processes,
    make_child,
    make_service_account,
    make_staff,
    make_token,
    make_user,
    ready,
)


class Api:
    """A client that sends one service account's token with every request."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", headers=self.headers, query_string=params)

    def post(self, path, json=None):
        return self.client.post(f"/api/v1{path}", headers=self.headers, json=json or {})


@pytest.fixture
def world(client, db, web_engine):
    """Staff (people), service accounts for a social worker, business support, a team manager
    and an unconnected social worker; the diagrams; a child allocated to the social worker
    account."""
    staff = make_staff(db)
    accounts = {
        "sw": make_service_account(db, "sw_sys", "social_worker"),
        "bs": make_service_account(db, "bs_sys", "business_support", team=None),
        "bs2": make_service_account(db, "bs2_sys", "business_support", team=None),
        "tm": make_service_account(db, "tm_sys", "team_manager"),
        "other": make_service_account(db, "other_sys", "social_worker", team="South"),
    }
    deploy_processes(db)
    child = make_child(db, web_engine, accounts["sw"])
    apis = {key: Api(client, make_token(db, user.username)) for key, user in accounts.items()}
    return staff, accounts, apis, child


def started(apis, child) -> dict:
    response = apis["sw"].post("/instances", {"child_id": child.id})
    assert response.status_code == 201, response.json
    return response.json


def test_start_and_complete_through_the_api(world):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    assert (task["task"], task["assignee"]) == ("record_strategy_discussion", "sw_sys")
    done = apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY})
    assert done.status_code == 200
    assert [t["task"] for t in done.json["ready_tasks"]] == ["book_conference"]
    # Booking is due 10 working days before the conference deadline of 23 March.
    assert done.json["ready_tasks"][0]["due_on"] == "2026-03-09"
    again = apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY})
    assert again.status_code == 409
    assert "already been completed by Sw_Sys system" in again.json["error"]


def test_completing_through_the_api_discards_the_tasks_drafts(world, db, web_engine):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = ready(db, instance["id"])["record_strategy_discussion"]
    now = web_engine.clock.now()
    drafts.save(db, task, accounts["sw"], {"outcome": ["icpc"]}, now)
    drafts.save(db, task, staff["tm"], {"outcome": ["no_conference"]}, now)
    assert apis["sw"].post(f"/tasks/{task.id}/complete", {"data": STRATEGY}).status_code == 200
    db.expire_all()
    assert db.scalars(select(TaskDraft).where(TaskDraft.task_id == task.id)).all() == []


def test_invalid_data_is_refused_field_by_field_and_nothing_is_saved(world, db):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    response = apis["sw"].post(
        f"/tasks/{task['id']}/complete",
        {"data": {**STRATEGY, "s47_start_date": "2026-02-30", "outcome": "maybe"}},
    )
    assert response.status_code == 422
    assert response.json["fields"] == {
        "s47_start_date": "Date the section 47 enquiry started must be a real date",
        "outcome": "Select outcome of the enquiry",
    }
    assert apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": []}).status_code == 422
    assert list(ready(db, instance["id"])) == ["record_strategy_discussion"]


def test_an_over_long_answer_is_refused_with_the_field_and_nothing_is_saved(world, db):
    from sqlalchemy import func

    from engine.models import CasePerson, Conference

    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY})
    booking = ready(db, instance["id"])["book_conference"]
    sent = {"conference_date": "2026-03-16", "conference_time": "10:00", "chair": "chair"}
    response = apis["bs"].post(
        f"/tasks/{booking.id}/complete", {"data": {**sent, "venue": "V" * 201}}
    )
    assert response.status_code == 422
    assert response.json["fields"] == {
        "venue": "Venue or call details must be 200 characters or fewer"
    }
    assert db.scalar(select(Conference.venue)) is None
    apis["bs"].post(f"/tasks/{booking.id}/complete", {"data": {**sent, "venue": "Civic Centre"}})
    invite = ready(db, instance["id"])["send_invitations"]
    people = db.scalar(select(func.count()).select_from(CasePerson))
    data = {
        "invitations_sent_date": "2026-03-02",
        "family": [{"name": "Grace Okoye", "relationship": "r" * 121}],
        "child_invited": False,
        "agencies": [{"agency": "police", "name": "Robin Hall"}],
        "parent_report_expected": False,
    }
    response = apis["bs"].post(f"/tasks/{invite.id}/complete", {"data": data})
    assert response.status_code == 422
    assert list(response.json["fields"]) == ["family-0-relationship"]
    assert db.scalar(select(func.count()).select_from(CasePerson)) == people
    assert "send_invitations" in ready(db, instance["id"])


def test_without_a_valid_token_every_call_is_refused(world, client, db):
    staff, accounts, apis, child = world
    assert client.get("/api/v1/tasks").status_code == 401
    for header in ("Bearer cpc_not-a-token", "Basic c3c6eA==", "Bearer "):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert apis["sw"].get("/me").json["username"] == "sw_sys"


def test_a_revoked_token_or_deactivated_account_is_refused(world, db, web_engine):
    from engine.access import tokens
    from engine.models.tokens import tokens_of

    staff, accounts, apis, child = world
    assert apis["bs"].get("/me").status_code == 200
    row = tokens_of(db, accounts["bs"].id)[0]
    assert row.last_used_at is not None and row.digest != apis["bs"].headers["Authorization"]
    tokens.revoke(db, row.id, "tests", web_engine.clock.now())
    assert apis["bs"].get("/me").status_code == 401
    accounts["tm"].active = False
    db.commit()
    assert apis["tm"].get("/me").status_code == 401


def test_a_persons_session_cannot_post_anything_but_json(world, client):
    from tests.webui.conftest import sign_in

    sign_in(client, "sw")
    assert client.get("/api/v1/me").json["username"] == "sw"
    assert client.post("/api/v1/instances", data={"child_id": "1"}).status_code == 415


def test_another_social_workers_case_is_out_of_reach(world, db):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    other = apis["other"]
    assert other.get(f"/children/{child.id}").status_code == 403
    assert other.get(f"/children/{child.id}/conferences").status_code == 403
    assert other.get("/children").json["children"] == []
    assert other.get("/tasks", instance_id=instance["id"]).status_code == 403
    assert other.get(f"/tasks/{task['id']}").status_code == 403
    assert other.post(f"/tasks/{task['id']}/complete", {"data": STRATEGY}).status_code == 403
    assert other.post(f"/tasks/{task['id']}/claim").status_code == 403
    assert other.post("/instances", {"child_id": child.id}).status_code == 403
    assert other.get(f"/children/{child.id + 100}").status_code == 404


def test_bad_requests_get_422_with_the_field_at_fault(world):
    staff, accounts, apis, child = world
    sw = apis["sw"]
    assert sw.post("/instances", {"child_id": "one"}).json["fields"] == {
        "child_id": "“child_id” must be a whole number."
    }
    rcpc = sw.post("/instances", {"child_id": child.id, "process_id": "rcpc"})
    assert rcpc.status_code == 400 and "cannot be started from a child's page" in rcpc.json["error"]
    assert sw.post("/instances", {"child_id": child.id, "process_id": 7}).status_code == 422
    bad_type = sw.post("/instances", {"child_id": child.id, "conference_type": ["icpc"]})
    assert bad_type.status_code == 422 and "conference_type" in bad_type.json["fields"]
    assert sw.get("/tasks", scope="everyone").status_code == 422
    assert sw.get("/tasks", limit="0").json["fields"] == {"limit": "“limit” must be from 1 to 500."}
    assert sw.post("/instances", {"child_id": 12345}).status_code == 404


def test_any_process_a_childs_page_may_start_starts_through_the_api(world, db, web_engine):
    """The catalogue decides, as for the child's page's "Start" button: a process made to
    start from a child's page starts; a diagram-only one and a retired one are refused."""
    staff, accounts, apis, child = world
    owner = make_user(db, "owner", "process_owner", team=None)
    now = web_engine.clock.now()
    meeting = (PROCESSES / "optional" / "childrens_meeting.bpmn").read_bytes()
    new_processes.create(
        db, owner, "meeting", "A meeting", StartModes(True, False), form_exists, now,
        how="file", file=meeting,
    )  # fmt: skip
    new_processes.create(
        db, owner, "cg_copy", "A copy", StartModes(False, True), form_exists, now,
        how="copy", copy_of="core_group",
    )  # fmt: skip
    sw = apis["sw"]
    listed = {p["process_id"]: p["started"] for p in sw.get("/processes").json["processes"]}
    assert listed["meeting"] == "child" and listed["cg_copy"] == "diagram"
    assert listed["icpc"] == listed["end_plan"] == "child"
    assert listed["rcpc"] == listed["core_group"] == "diagram"
    started = sw.post("/instances", {"child_id": child.id, "process_id": "meeting"})
    assert started.status_code == 201, started.json
    assert started.json["process_id"] == "meeting" and started.json["ready_tasks"]
    copy = sw.post("/instances", {"child_id": child.id, "process_id": "cg_copy"})
    assert copy.status_code == 400
    assert copy.json["error"] == "“cg_copy” cannot be started from a child's page."
    new_processes.retire(db, owner, "meeting", "replaced", now)
    listed = {p["process_id"]: p["started"] for p in sw.get("/processes").json["processes"]}
    assert listed["meeting"] == "retired"
    second = make_child(db, web_engine, accounts["sw"], "B")
    retired = sw.post("/instances", {"child_id": second.id, "process_id": "meeting"})
    assert retired.status_code == 400 and "is retired" in retired.json["error"]


def test_a_second_icpc_for_the_same_child_is_refused(world):
    staff, accounts, apis, child = world
    first = started(apis, child)
    second = apis["sw"].post("/instances", {"child_id": child.id})
    assert second.status_code == 400
    assert (
        f"already has this workflow in progress: case {first['reference']}"
        in (second.json["error"])
    )


def booking_task(apis, child, db) -> str:
    instance = started(apis, child)
    task = instance["ready_tasks"][0]
    apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY})
    return ready(db, instance["id"])["book_conference"].id


def test_claim_unclaim_and_a_lost_race(world, db):
    staff, accounts, apis, child = world
    task_id = booking_task(apis, child, db)
    assert apis["sw"].post(f"/tasks/{task_id}/claim").status_code == 403  # not their role
    claimed = apis["bs"].post(f"/tasks/{task_id}/claim")
    assert (claimed.status_code, claimed.json["assignee"]) == (200, "bs_sys")
    assert [t["id"] for t in apis["bs"].get("/tasks", scope="mine").json["tasks"]] == [task_id]
    assert apis["bs2"].get("/tasks", scope="role").json["tasks"] == []
    # Once held, the task no longer links the rest of the pool to the child's record.
    assert apis["bs2"].post(f"/tasks/{task_id}/claim").status_code == 403
    assert apis["bs2"].post(f"/tasks/{task_id}/complete", {"data": {}}).status_code == 403
    taken = apis["tm"].post(f"/tasks/{task_id}/claim")
    assert taken.status_code == 409 and "already held by Bs_Sys system" in taken.json["error"]
    assert apis["tm"].post(f"/tasks/{task_id}/unclaim").status_code == 403
    back = apis["bs"].post(f"/tasks/{task_id}/unclaim")
    assert (back.status_code, back.json["assignee"]) == (200, None)
    pool = apis["bs2"].get("/tasks", scope="role").json["tasks"]
    assert [t["id"] for t in pool] == [task_id]


def test_a_manager_assigns_and_the_assignee_is_told(world, db):
    staff, accounts, apis, child = world
    task_id = booking_task(apis, child, db)
    refused = apis["bs"].post(f"/tasks/{task_id}/assign", {"username": "bs2_sys"})
    assert refused.status_code == 403
    wrong_role = apis["tm"].post(f"/tasks/{task_id}/assign", {"username": "sw_sys"})
    assert wrong_role.status_code == 400 and "does not hold the role" in wrong_role.json["error"]
    assert apis["tm"].post(f"/tasks/{task_id}/assign", {"username": 7}).status_code == 422
    given = apis["tm"].post(f"/tasks/{task_id}/assign", {"username": "bs2_sys"})
    assert (given.status_code, given.json["assignee"]) == (200, "bs2_sys")
    told = db.scalars(select(OutboxMessage).where(OutboxMessage.to_user_id == accounts["bs2"].id))
    assert [m.subject for m in told if m.subject.startswith("Task assigned")] == [
        f"Task assigned to you: Book the conference ({given.json['case_reference']})"
    ]
    pooled = apis["tm"].post(f"/tasks/{task_id}/assign", {"username": None})
    assert pooled.json["assignee"] is None


def test_instances_are_listed_and_filtered_for_managers_only(world, db, clock):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    assert apis["sw"].get("/instances").status_code == 403
    tm = apis["tm"]
    listed = tm.get("/instances", process="icpc", status="running", child_id=str(child.id))
    assert [i["id"] for i in listed.json["instances"]] == [instance["id"]]
    assert tm.get("/instances", status="completed").json["instances"] == []
    assert tm.get("/instances", overdue="true").json["instances"] == []
    clock.advance(days=5)  # the strategy discussion was due within 2 working days
    overdue = tm.get("/instances", overdue="true").json["instances"]
    assert [i["id"] for i in overdue] == [instance["id"]]
    assert tm.get("/instances", status="lost").status_code == 422
    assert apis["other"].get("/instances").status_code == 403
    task = instance["ready_tasks"][0]
    apis["sw"].post(f"/tasks/{task['id']}/complete", {"data": STRATEGY})
    detail = tm.get(f"/instances/{instance['id']}").json
    assert [t["task"] for t in detail["tasks"]] == ["record_strategy_discussion", "book_conference"]
    # the booking's reminder was already due (the clock moved on): it fired within the step
    statuses = {t["element"]: t["status"] for t in detail["timers"]}
    assert statuses.pop("book_conference_remind") == "fired"
    assert set(statuses.values()) == {"waiting"}
    history = [e["action"] for e in detail["history"]]
    assert history[0] == "instance.started" and "task.completed" in history


def test_the_case_summary_conferences_and_plans(world, db, web_engine):
    staff, accounts, apis, child = world
    instance = started(apis, child)
    complete(
        db, web_engine, instance["id"], "record_strategy_discussion", accounts["sw"], **STRATEGY
    )
    case = apis["sw"].get(f"/children/{child.id}").json
    assert case["access"] == "full" and case["child"]["reference"] == child.reference
    assert [c["kind"] for c in case["conferences"]] == ["icpc"]
    assert case["conferences"][0]["due_on"] == "2026-03-23"
    assert [i["reference"] for i in case["instances"]] == [instance["reference"]]
    assert apis["sw"].get(f"/children/{child.id}/plans").json == {"plans": []}
    assert apis["sw"].get(f"/children/{child.id}/ahead").json == {"review_on": None, "dates": []}
    bad = apis["sw"].get(f"/children/{child.id}/ahead", review_on="soon")
    assert bad.status_code == 422 and "review_on" in bad.json["fields"]
    for far in ("9999-12-31", "0001-01-01"):  # no projection from the edge of the calendar
        refused = apis["sw"].get(f"/children/{child.id}/ahead", review_on=far)
        assert refused.status_code == 422 and "five years" in refused.json["fields"]["review_on"]
    conferences = apis["sw"].get(f"/children/{child.id}/conferences").json["conferences"]
    assert conferences == case["conferences"]


def test_census_extract_for_managers(world, db):
    staff, accounts, apis, child = world
    with db.begin():
        db.add(
            Plan(
                child_id=child.id,
                started_on=date(2025, 6, 1),
                ended_on=date(2026, 5, 1),
                initial_category="NEG",
                latest_category="EMO",
                previous_plans=1,
            )
        )
    assert apis["sw"].get("/census/child-protection-plans").status_code == 403
    census = apis["tm"].get("/census/child-protection-plans", year="2026").json
    assert (census["period_start"], census["period_end"]) == ("2025-04-01", "2026-03-31")
    [item] = census["plans"]
    assert {k: item[k] for k in ("child_reference", "cpp_start_date", "cpp_end_date")} == {
        "child_reference": child.reference,
        "cpp_start_date": "2025-06-01",
        "cpp_end_date": None,  # ended after 31 March 2026: open at the census date
    }
    assert (item["initial_category_of_abuse"], item["latest_category_of_abuse"]) == ("NEG", "EMO")
    assert item["number_of_previous_cpp"] == 1  # a number, not text
    assert item["review_dates"] == [] and census["section47"] == []
    assert apis["tm"].get("/census/child-protection-plans", year="2025").json["plans"] == []
    assert apis["tm"].get("/census/child-protection-plans", year="2030").status_code == 400
    assert apis["tm"].get("/census/child-protection-plans", year="1").status_code == 400
    assert apis["tm"].get("/census/child-protection-plans", year="²").status_code == 422
    south = make_service_account(db, "tm_south", "team_manager", team="South")
    other_manager = apis["tm"].__class__(apis["tm"].client, make_token(db, south.username))
    empty = other_manager.get("/census/child-protection-plans", year="2026").json
    assert empty["plans"] == []


def test_processes_and_versions(world):
    staff, accounts, apis, child = world
    processes = apis["sw"].get("/processes").json["processes"]
    assert {p["process_id"] for p in processes} >= {"icpc", "rcpc", "core_group", "end_plan"}
    versions = apis["sw"].get("/processes/icpc/versions").json["versions"]
    assert len(versions) == 1 and versions[0]["process_id"] == "icpc"
    assert apis["sw"].get("/processes/nothing/versions").status_code == 404


def test_an_invited_professional_sees_the_conferences_only(world, db):
    from engine.models import CasePerson, Invitation, ProcessInstance

    staff, accounts, apis, child = world
    instance = started(apis, child)
    agency = make_service_account(db, "police_sys", "agency_professional", team=None)
    with db.begin():
        person = CasePerson(
            child_id=child.id,
            kind="professional",
            name="DC Robin Hall",
            relationship_or_agency="Police",
            user_id=agency.id,
        )
        db.add(person)
    row = db.get(ProcessInstance, instance["id"])
    invited = add_conference(db, row, child, due_on=date(2026, 3, 23), venue="Room 1")
    add_conference(
        db, row, child, kind="rcpc", review_number=1, due_on=date(2026, 6, 23), venue="Room 9"
    )
    with db.begin():
        db.add(Invitation(conference_id=invited.id, person_id=person.id, role="professional"))
    police = Api(apis["sw"].client, make_token(db, "police_sys"))
    case = police.get(f"/children/{child.id}").json
    assert case["access"] == "invited"
    assert set(case) == {"child", "access", "conferences"}
    assert [c["id"] for c in case["conferences"]] == [invited.id]
    listed = police.get(f"/children/{child.id}/conferences")
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json["conferences"]] == [invited.id]
    assert "Room 9" not in listed.get_data(as_text=True)
    staff_view = apis["sw"].get(f"/children/{child.id}/conferences").json["conferences"]
    assert len(staff_view) == 2
    task = instance["ready_tasks"][0]["id"]
    refused = police.get(f"/tasks/{task}")
    assert refused.status_code == 403 and "own tasks" in refused.json["error"]
    assert apis["sw"].get(f"/tasks/{task}").status_code == 200
    assert police.get(f"/children/{child.id}/plans").status_code == 403
    assert police.post("/instances", {"child_id": child.id}).status_code == 403
    assert police.get("/census/child-protection-plans").status_code == 403
