from datetime import date

from tests.factories import deploy_icpc, deploy_processes, make_child, make_staff
from tests.webui.conftest import page, post_form, sign_in


def test_a_social_worker_starts_an_icpc_for_a_child(client, db, web_engine):
    staff = make_staff(db)
    deploy_icpc(db)
    child = make_child(db, web_engine, staff["sw"])
    sign_in(client, "sw")
    html = page(client.get(f"/children/{child.id}"))
    assert html.h1.text.strip() == child.full_name
    response = post_form(
        client, f"/children/{child.id}/start", {}, token_from=f"/children/{child.id}"
    )
    assert response.status_code == 302
    html = page(client.get(f"/children/{child.id}"))
    assert "started: case ICPC-" in html.select_one(".govuk-notification-banner").text
    assert "Record the strategy discussion" in html.text
    # One open ICPC per child: the start form is gone.
    assert html.select_one("#start-conference") is None
    inbox = page(client.get("/inbox"))
    assert len(inbox.select("#inbox tbody tr")) == 1


def test_adding_a_child_validates_and_saves(client, db, web_engine):
    make_staff(db)
    sign_in(client, "sw")
    response = post_form(
        client, "/children/new", {"given_name": "", "family_name": "Price", "social_worker": "sw"}
    )
    assert response.status_code == 400
    assert "Enter given name" in page(response).select_one(".govuk-error-summary").text
    response = post_form(
        client,
        "/children/new",
        {
            "given_name": "Ella",
            "family_name": "Price",
            "social_worker": "sw",
            "date_of_birth-day": "14",
            "date_of_birth-month": "2",
            "date_of_birth-year": "2018",
        },
    )
    assert response.status_code == 302
    html = page(client.get("/children"))
    assert "Ella Price" in html.select_one("#children").text


def test_a_script_typed_into_a_name_is_shown_as_text(client, db, web_engine):
    make_staff(db)
    sign_in(client, "sw")
    post_form(
        client,
        "/children/new",
        {
            "given_name": "<script>alert(1)</script>",
            "family_name": "X",
            "social_worker": "sw",
            "date_of_birth-day": "1",
            "date_of_birth-month": "1",
            "date_of_birth-year": "2020",
        },
    )
    body = client.get("/children").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_an_unborn_child_is_added_with_the_expected_date_and_offered_a_pre_birth_conference(
    client, db, web_engine
):
    make_staff(db)
    deploy_processes(db)
    sign_in(client, "sw")
    neither = post_form(
        client,
        "/children/new",
        {"given_name": "Baby", "family_name": "Carter", "social_worker": "sw"},
    )
    assert neither.status_code == 400
    assert "expected date of birth" in page(neither).select_one(".govuk-error-summary").text
    response = post_form(
        client,
        "/children/new",
        {
            "given_name": "Baby",
            "family_name": "Carter",
            "social_worker": "sw",
            "expected_date_of_birth-day": "1",
            "expected_date_of_birth-month": "8",
            "expected_date_of_birth-year": "2026",
        },
    )
    assert response.status_code == 302
    html = page(client.get(response.headers["Location"]))
    assert "Unborn: expected 1 August 2026" in html.text
    choices = [i["value"] for i in html.select("#start-conference input[type=radio]")]
    assert choices == ["icpc", "pre_birth", "transfer_in"]
    post_form(client, response.headers["Location"] + "/start", {"conference_type": "pre_birth"})
    html = page(client.get(response.headers["Location"]))
    assert "Pre-birth conference started" in html.select_one(".govuk-notification-banner").text


def test_the_case_page_shows_conferences_and_the_plan(client, db, web_engine):
    from tests.processes.driver import Case, on_a_plan

    case = Case(db, web_engine, web_engine.clock, reload=False)
    on_a_plan(case)
    sign_in(client, "sw")
    html = page(client.get(f"/children/{case.child.id}"))
    rows = [r.get_text(" ", strip=True) for r in html.select("#conferences tbody tr")]
    assert rows[0].startswith("Initial conference 13 January 2027 11 January 2027")
    assert "Child protection plan (neglect)" in rows[0]
    assert rows[1].startswith("Review conference 1 9 April 2027 Not booked")
    assert "Since 11 January 2027, neglect" in html.text
    assert "Register with a dentist: Grace Okoye, by 1 February 2027" in html.text
    assert html.select_one("#end-plan") is not None and html.select_one("#start-conference") is None
    assert date(2027, 1, 25) == case.ready()["core_group_meeting"].due_on
    assert "Next core group" in html.text


def test_the_case_page_shows_what_is_coming_and_what_if(client, db, web_engine):
    from tests.processes.driver import Case, on_a_plan

    case = Case(db, web_engine, web_engine.clock, reload=False)
    on_a_plan(case)
    sign_in(client, "sw")
    html = page(client.get(f"/children/{case.child.id}"))
    rows = [r.get_text(" ", strip=True) for r in html.select("#ahead tbody tr")]
    assert rows[:3] == [
        "25 January 2027 Core group 1 Its workflow",
        "8 March 2027 Core group 2 Projected",
        "9 April 2027 Review 1 Its workflow",
    ]
    assert rows[-1] == "11 April 2034 18th birthday: the plan ends Its workflow"
    what_if = page(client.get(f"/children/{case.child.id}?review_on=2027-04-20"))
    rows = [r.get_text(" ", strip=True) for r in what_if.select("#ahead tbody tr")]
    assert "20 October 2027 Review 2 Projected" in rows
    assert "As if the review were held on 20 April 2027" in what_if.text
    bad = client.get(f"/children/{case.child.id}?review_on=20-04-2027")
    assert bad.status_code == 200
    assert "Enter the date like 2027-04-20." in page(bad).select_one("#what-if").text
