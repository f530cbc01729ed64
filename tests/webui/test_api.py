from tests.factories import PASSWORD, deploy_icpc, make_child, make_staff, start_icpc

STRATEGY = {
    "strategy_discussion_date": "2026-03-02",
    "s47_start_date": "2026-03-02",
    "outcome": "icpc",
}


def api_sign_in(client, username):
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json


def child_without_a_case(client, db, web_engine):
    """Staff, the ICPC deployed, a child allocated to `sw`, and `sw` signed in to the API."""
    staff = make_staff(db)
    deploy_icpc(db)
    child = make_child(db, web_engine, staff["sw"])
    api_sign_in(client, "sw")
    return child


def test_start_and_complete_through_the_api(client, db, web_engine):
    child = child_without_a_case(client, db, web_engine)
    started = client.post("/api/instances", json={"child_id": child.id})
    assert started.status_code == 201
    task = started.json["ready_tasks"][0]
    assert task["task"] == "record_strategy_discussion"
    done = client.post(f"/api/tasks/{task['id']}/complete", json={"data": STRATEGY})
    assert done.status_code == 200
    assert [t["task"] for t in done.json["ready_tasks"]] == ["book_conference"]
    # Booking is due 10 working days before the conference deadline of 23 March.
    assert done.json["ready_tasks"][0]["due_on"] == "2026-03-09"
    again = client.post(f"/api/tasks/{task['id']}/complete", json={"data": STRATEGY})
    assert again.status_code == 409
    assert "already been completed" in again.json["error"]


def test_invalid_data_is_refused_field_by_field(client, db, web_engine):
    staff, child, instance = start_icpc(db, web_engine)
    api_sign_in(client, "sw")
    task = client.get(f"/api/instances/{instance.id}").json["ready_tasks"][0]
    response = client.post(
        f"/api/tasks/{task['id']}/complete",
        json={"data": {**STRATEGY, "s47_start_date": "2026-02-30"}},
    )
    assert response.status_code == 400
    assert response.json["fields"] == {
        "s47_start_date": "Date the section 47 enquiry started must be a real date"
    }


def test_the_api_needs_a_session_and_json(client, db):
    make_staff(db)
    assert client.get("/api/tasks").status_code == 401
    api_sign_in(client, "sw")
    assert client.post("/api/instances", data={"child_id": "1"}).status_code == 415
    assert client.post("/api/instances", json=[1]).status_code == 400
    assert client.post("/api/instances", json={"child_id": 12345}).status_code == 404
    assert client.post("/api/session", json={"username": "sw", "password": "no"}).status_code == 401


def test_a_second_icpc_for_the_same_child_is_refused(client, db, web_engine):
    child = child_without_a_case(client, db, web_engine)
    first = client.post("/api/instances", json={"child_id": child.id})
    second = client.post("/api/instances", json={"child_id": child.id})
    assert second.status_code == 400
    assert (
        f"already has this workflow in progress: case {first.json['reference']}"
        in (second.json["error"])
    )


def test_an_unknown_conference_type_is_refused_clearly(client, db, web_engine):
    child = child_without_a_case(client, db, web_engine)
    for bad in (["icpc"], "review", 3):
        response = client.post(
            "/api/instances", json={"child_id": child.id, "conference_type": bad}
        )
        assert response.status_code == 400
        assert response.json["error"] == "Choose the type of conference."
