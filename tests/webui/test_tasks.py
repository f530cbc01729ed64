"""Inbox, task page and completion, end to end through the pages."""

from tests.factories import conference_booked, ready
from tests.factories import start_icpc as start_case
from tests.webui.conftest import page, post_form, sign_in

STRATEGY = {
    "strategy_discussion_date-day": "2",
    "strategy_discussion_date-month": "3",
    "strategy_discussion_date-year": "2026",
    "s47_start_date-day": "2",
    "s47_start_date-month": "3",
    "s47_start_date-year": "2026",
    "outcome": "icpc",
}


def test_the_inbox_lists_my_task_with_the_child(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    sign_in(client, "sw")
    response = client.get("/inbox")
    assert response.status_code == 200
    html = page(response)
    assert html.title.string.startswith("Your tasks")
    rows = html.select("#inbox tbody tr")
    assert len(rows) == 1
    assert "Record the strategy discussion" in rows[0].text
    assert child.full_name in rows[0].text
    assert instance.reference in rows[0].text


def test_another_role_does_not_see_the_task(client, db, web_engine):
    start_case(db, web_engine)
    sign_in(client, "bs")
    assert page(client.get("/inbox")).select("#inbox tbody tr") == []


def test_the_task_page_renders_the_form_from_forms(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    html = page(client.get(f"/tasks/{task.id}"))
    assert html.h1.text.strip() == "Record the strategy discussion and section 47 enquiry"
    assert html.find("input", {"name": "strategy_discussion_date-day"}) is not None
    assert {i["value"] for i in html.find_all("input", {"name": "outcome"})} == {
        "icpc",
        "no_conference",
    }


def test_a_bad_date_is_shown_back_with_a_clear_error_and_nothing_saved(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    bad = {**STRATEGY, "strategy_discussion_date-day": "31", "strategy_discussion_date-month": "2"}
    response = post_form(client, f"/tasks/{task.id}", bad)
    assert response.status_code == 400
    html = page(response)
    assert html.title.string.startswith("Error:")
    summary = html.select_one(".govuk-error-summary")
    assert "Date of the strategy discussion must be a real date" in summary.text
    assert html.find("input", {"name": "strategy_discussion_date-day"})["value"] == "31"
    db.expire_all()
    assert list(ready(db, instance.id)) == ["record_strategy_discussion"]


def test_completing_a_task_moves_the_case_on(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    response = post_form(client, f"/tasks/{task.id}", STRATEGY)
    assert response.status_code == 302
    db.expire_all()
    assert list(ready(db, instance.id)) == ["book_conference"]
    html = page(client.get(response.headers["Location"]))
    assert (
        "“Record the strategy discussion” is done."
        in html.select_one(".govuk-notification-banner").text
    )


def test_a_second_click_on_a_completed_task_says_who_completed_it(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    token_page = f"/tasks/{task.id}"
    from tests.webui.conftest import csrf

    token = csrf(client, token_page)
    first = client.post(token_page, data={"csrf_token": token, **STRATEGY})
    second = client.post(token_page, data={"csrf_token": token, **STRATEGY})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already been completed by Sw" in page(second).select_one("#error-message").text


def test_someone_elses_task_is_refused(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "bs")
    assert client.get(f"/tasks/{task.id}").status_code == 403


def test_an_unknown_task_is_a_404_page_not_a_crash(client, db, web_engine):
    start_case(db, web_engine)
    sign_in(client, "sw")
    response = client.get("/tasks/not-a-task")
    assert response.status_code == 404
    assert page(response).h1.text.strip() == "Page not found"


def test_the_booking_page_shows_its_due_date_and_the_chairs(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", STRATEGY)
    sign_in(client, "bs")
    booking = ready(db, instance.id)["book_conference"]
    html = page(client.get(f"/tasks/{booking.id}"))
    assert "Due by" in html.select_one("#due-date").text
    assert [o.text for o in html.select("select#chair option")] == ["Choose", "Chair"]


def test_the_form_is_prefilled_from_what_the_task_already_knows(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    web_engine.complete(
        db,
        task.id,
        staff["sw"],
        {
            "strategy_discussion_date": "2026-03-02",
            "s47_start_date": "2026-02-27",
            "outcome": "icpc",
        },
    )
    # The page prefills from the data the task inherits: everything entered before it.
    booking = ready(db, instance.id)["book_conference"]
    data = web_engine.task_data(db, booking)
    assert data["s47_start_date"] == "2026-02-27"
    assert data["icpc_due_date"] == "2026-03-23"
    sign_in(client, "bs")
    html = page(client.get(f"/tasks/{booking.id}"))
    assert html.find("input", {"name": "venue"})["value"] == ""  # not asked before


def invitations_task(db, web_engine):
    """A case with its conference booked: business support's invitations task (clock 2 Mar)."""
    staff, child, instance = start_case(db, web_engine)
    conference_booked(db, web_engine, instance.id, staff)
    return staff, instance, ready(db, instance.id)["send_invitations"]


def invitations_form(**changes) -> dict[str, str]:
    """The invitations page filled in: one parent, the police; `changes` override fields."""
    return {
        "invitations_sent_date-day": "2",
        "invitations_sent_date-month": "3",
        "invitations_sent_date-year": "2026",
        "family-0-name": "Grace Okoye",
        "family-0-relationship": "Mother",
        "child_invited": "no",
        "agencies-0-agency": "police",
        "agencies-0-name": "Robin Hall",
        "parent_report_expected": "no",
        **changes,
    }


def test_a_repeating_list_shows_rows_and_reports_the_row_at_fault(client, db, web_engine):
    staff, instance, task = invitations_task(db, web_engine)
    sign_in(client, "bs")
    html = page(client.get(f"/tasks/{task.id}"))
    assert [f.legend.text.strip() for f in html.select("#family .app-list-item")] == [
        "Person 1",
        "Person 2",
        "Person 3",
    ]
    form = invitations_form(**{"agencies-0-name": ""})
    response = post_form(client, f"/tasks/{task.id}", form)
    assert response.status_code == 400
    summary = page(response).select_one(".govuk-error-summary")
    link = summary.select_one("a")
    assert link["href"] == "#agencies-0-name"
    assert link.text.strip() == "Enter professional's name (Agency 1)"
    form["agencies-0-name"] = "Robin Hall"
    form["agencies-0-username"] = "police"
    response = post_form(client, f"/tasks/{task.id}", form)
    assert response.status_code == 302
    titles = sorted(t.title for t in ready(db, instance.id).values())
    assert "Agency report: Robin Hall" in titles


def test_an_over_long_relationship_is_named_on_the_page_and_nobody_is_invited(
    client, db, web_engine
):
    from sqlalchemy import func, select

    from engine.models import CasePerson, Invitation

    staff, instance, task = invitations_task(db, web_engine)
    sign_in(client, "bs")
    before = db.scalar(select(func.count()).select_from(CasePerson))
    form = invitations_form(**{"family-0-relationship": "r" * 121})
    response = post_form(client, f"/tasks/{task.id}", form)
    assert response.status_code == 400
    link = page(response).select_one(".govuk-error-summary a")
    assert link["href"] == "#family-0-relationship"
    assert (
        link.text.strip() == "Relationship to the child (Person 1) must be 120 characters or fewer"
    )
    assert db.scalar(select(func.count()).select_from(CasePerson)) == before
    assert db.scalar(select(func.count()).select_from(Invitation)) == 0
    assert "send_invitations" in ready(db, instance.id)


def test_a_character_that_cannot_be_saved_is_named_on_its_field_and_the_answers_kept(
    client, db, web_engine
):
    """A NUL pasted into a reason: the form comes back naming that field, with everything
    else typed still there, instead of a page that loses the answers."""
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    pasted = {**STRATEGY, "outcome": "no_conference", "no_conference_reason": "Safe\x00 now"}
    response = post_form(client, f"/tasks/{task.id}", pasted)
    assert response.status_code == 400
    html = page(response)
    summary = html.select_one(".govuk-error-summary").text
    assert "Why no conference is needed contains a character that cannot be saved" in summary
    assert html.find("input", {"name": "s47_start_date-day"})["value"] == "2"
    assert html.find("input", {"name": "outcome", "value": "no_conference"}).has_attr("checked")
    db.expire_all()
    assert list(ready(db, instance.id)) == ["record_strategy_discussion"]


def test_the_late_reason_task_names_the_step_and_both_dates(client, db, web_engine, clock):
    from tests.processes.driver import Case

    case = Case(db, web_engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-21 09:00")
    case.do(
        "book_conference",
        conference_date="2027-01-22",
        booking_reason="No chair free sooner",
    )
    case.do("send_invitations", invitations_sent_date="2027-01-21")
    case.at("2027-01-22 15:00")
    case.do("hold_conference", held_date="2027-01-22")
    late = case.ready()["agree_conference_held_late"]
    sign_in(client, "tm")
    html = page(client.get(f"/tasks/{late.id}"))
    said = html.select_one("#task-title").text
    assert said == "The conference: due 13 January 2027, held 22 January 2027"
    assert html.select_one('[name="agreed_with_chair"]') is None  # the chair answers for itself


def test_the_chair_sees_the_reason_the_manager_agreed(client, db, web_engine, clock):
    from tests.processes.driver import Case

    case = Case(db, web_engine, clock, reload=False)
    case.at("2026-12-18 14:00")
    case.start()
    case.do("record_strategy_discussion")
    case.at("2027-01-21 09:00")
    case.do("book_conference", conference_date="2027-01-22", booking_reason="No chair free")
    case.do("send_invitations", invitations_sent_date="2027-01-21")
    case.at("2027-01-22 15:00")
    case.do("hold_conference", held_date="2027-01-22")
    case.do(
        "agree_conference_held_late",
        late_reason="chair_availability",
        late_explanation="No chair was free within the 15 working days.",
    )
    chair_task = case.ready()["chair_agree_conference_held_late"]
    sign_in(client, "chair")
    html = page(client.get(f"/tasks/{chair_task.id}"))
    shown = html.select_one("#managers-reason").get_text(" ", strip=True)
    assert "No chair was available" in shown
    assert "No chair was free within the 15 working days." in shown
    assert case.staff["tm"].display_name in shown
    assert "13 January 2027" in shown and "22 January 2027" in shown


def test_the_review_form_starts_from_the_last_conference_map(client, db, web_engine, clock):
    from tests.processes.driver import Case, on_a_plan

    case = Case(db, web_engine, clock, reload=False)
    on_a_plan(case)
    case.at("2027-02-25 09:00")
    case.do("book_conference", conference_date="2027-04-08")
    case.do("send_invitations", invitations_sent_date="2027-02-25")
    review = case.ready()["hold_review"]
    sign_in(client, "chair")
    html = page(client.get(f"/tasks/{review.id}"))
    shown = html.select_one("#previous-map").get_text(" ", strip=True)
    assert "Initial conference held on 11 January 2027" in shown
    assert "Child protection plan (neglect)" in shown
    assert "Repeated missed medical appointments." in shown  # its harm and danger
    assert "Grandmother visits daily." in shown  # its strengths


def test_an_initial_conference_form_has_no_previous_map(client, db, web_engine, clock):
    from tests.processes.driver import Case, invited

    case = Case(db, web_engine, clock, reload=False)
    invited(case)
    sign_in(client, "chair")
    html = page(client.get(f"/tasks/{case.ready()['hold_conference'].id}"))
    assert html.select_one("#previous-map") is None
