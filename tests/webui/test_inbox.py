"""The inbox: counts, filters, sorting, paging, and claiming, giving back and passing on."""

import pytest

from engine.models import inbox as inbox_model
from tests.factories import (
    STRATEGY,
    complete,
    deploy_test_diagram,
    make_child,
    make_staff,
    make_user,
    ready,
)
from tests.factories import start_icpc as start_case
from tests.webui.conftest import page, post_form, sign_in


def to_booking(db, engine):
    """An ICPC whose next step, booking, waits in the business support pool."""
    staff, child, instance = start_case(db, engine)
    complete(db, engine, instance.id, "record_strategy_discussion", staff["sw"], **STRATEGY)
    return staff, child, instance, ready(db, instance.id)["book_conference"]


def rows(html):
    return html.select("#inbox tbody tr")


def count(html, label):
    item = next(li for li in html.select("#task-counts li") if label in li.text)
    return int(item.strong.text)


def test_counts_show_mine_pool_overdue_and_due_today(client, db, web_engine, clock):
    staff, child, instance, task = to_booking(db, web_engine)
    sign_in(client, "bs")
    html = page(client.get("/inbox"))
    assert (count(html, "waiting"), count(html, "assigned to you"), count(html, "unassigned")) == (
        1,
        0,
        1,
    )
    assert count(html, "overdue") == 0
    clock.advance(days=30)
    html = page(client.get("/inbox"))
    assert count(html, "overdue") == 1
    assert "Overdue" in rows(html)[0].text
    assert "app-row--overdue" in rows(html)[0]["class"]


def test_the_empty_inbox_says_so(client, db):
    make_user(db, "nobody", "social_worker")
    sign_in(client, "nobody")
    html = page(client.get("/inbox"))
    assert html.select_one("#empty") is not None
    assert rows(html) == []


def test_filters_narrow_the_list_and_say_when_nothing_matches(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    other = make_child(db, web_engine, staff["sw"], given="Noah", family="Bell")
    from engine.casework import cases

    cases.start_conference(db, web_engine, staff["sw"], other.id)
    sign_in(client, "sw")
    assert len(rows(page(client.get("/inbox")))) == 2
    only_noah = page(client.get("/inbox?child=noah"))
    assert [r.select("td")[1].a.text for r in rows(only_noah)] == ["Noah Bell"]
    by_reference = page(client.get(f"/inbox?child={other.reference}"))
    assert len(rows(by_reference)) == 1
    nothing = page(client.get("/inbox?overdue=yes"))
    assert rows(nothing) == [] and nothing.select_one("#no-match") is not None
    assert len(rows(page(client.get("/inbox?process=icpc&step=record_strategy_discussion")))) == 2
    assert rows(page(client.get("/inbox?process=rcpc"))) == []


def test_sorting_by_child_and_paging(client, db, web_engine, monkeypatch):
    staff, child, instance = start_case(db, web_engine)
    other = make_child(db, web_engine, staff["sw"], given="Noah", family="Bell")
    from engine.casework import cases

    cases.start_conference(db, web_engine, staff["sw"], other.id)
    monkeypatch.setattr(inbox_model, "PER_PAGE", 1)
    sign_in(client, "sw")
    first = page(client.get("/inbox?sort=child"))
    assert [r.select("td")[1].a.text for r in rows(first)] == ["Noah Bell"]
    assert "page 1 of 2" in first.select_one("#matching").text
    assert first.select_one(".govuk-pagination") is not None
    second = page(client.get("/inbox?sort=child&page=2"))
    assert [r.select("td")[1].a.text for r in rows(second)] == ["Amara Okoye"]
    past_the_end = page(client.get("/inbox?sort=child&page=99"))
    assert len(rows(past_the_end)) == 1
    assert page(client.get("/inbox?page=abc")).select("#inbox") != []
    assert page(client.get("/inbox?page=²")).select("#inbox") != []  # isdigit, yet not int


def test_claim_give_back_and_pass_on_without_touching_the_workflow(client, db, web_engine):
    staff, child, instance, task = to_booking(db, web_engine)
    make_user(db, "bs2", "business_support", team=None)
    sign_in(client, "bs")
    response = post_form(client, f"/tasks/{task.id}/claim", {"back": "/inbox"}, token_from="/inbox")
    assert response.status_code == 302
    db.expire_all()
    assert ready(db, instance.id)["book_conference"].assignee_id == staff["bs"].id
    html = page(client.get("/inbox?scope=mine"))
    assert len(rows(html)) == 1 and "You" in rows(html)[0].select("td")[3].text
    passed = {"colleague": "bs2", "back": "/inbox"}
    response = post_form(client, f"/tasks/{task.id}/reassign", passed, token_from="/inbox")
    assert response.status_code == 302
    db.expire_all()
    moved = ready(db, instance.id)["book_conference"]
    assert moved.assignee.username == "bs2"
    assert instance.status == "running"
    assert rows(page(client.get("/inbox"))) == []
    client2 = client.application.test_client()
    sign_in(client2, "bs2")
    # A pool task passed on can go back to its pool, whoever holds it now.
    html = page(client2.get("/inbox"))
    assert html.select("#inbox button.app-link-button")[0].text.startswith("Give back")
    back = post_form(client2, f"/tasks/{task.id}/unclaim", {"back": "/inbox"}, token_from="/inbox")
    assert back.status_code == 302
    db.expire_all()
    assert ready(db, instance.id)["book_conference"].assignee_id is None


def test_a_step_the_diagram_gives_to_a_named_person_offers_no_give_back(client, db, web_engine):
    start_case(db, web_engine)  # the strategy discussion: the diagram names the social worker
    sign_in(client, "sw")
    html = page(client.get("/inbox?scope=mine"))
    assert len(rows(html)) == 1
    buttons = " ".join(b.text for b in html.select("#inbox button"))
    assert "Give back" not in buttons and "Pass on" not in buttons


def test_refusals_come_back_to_the_inbox_with_an_error_summary(make_app, db, web_engine):
    staff, child, instance, task = to_booking(db, web_engine)
    make_user(db, "bs2", "business_support", team=None)
    app = make_app()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "bs")
    sign_in(second, "bs2")
    post_form(first, f"/tasks/{task.id}/claim", {}, token_from="/inbox")
    back = {"back": "/inbox?scope=pool&sort=child"}
    lost = post_form(second, f"/tasks/{task.id}/claim", back, token_from="/inbox")
    assert lost.status_code == 403
    html = page(lost)
    summary = html.select_one(".govuk-error-summary")
    assert summary is not None and "already been taken" in summary.text
    assert html.h1.text.strip() == "Your tasks"
    assert html.select_one("#scope option[selected]")["value"] == "pool"
    empty = post_form(
        first, f"/tasks/{task.id}/reassign", {"colleague": "", **back}, token_from="/inbox"
    )
    assert empty.status_code == 400, empty.headers.get("Location")
    assert "Choose a colleague" in page(empty).select_one(".govuk-error-summary").text
    db.expire_all()
    assert ready(db, instance.id)["book_conference"].assignee.username == "bs"


def test_a_second_claim_is_refused_with_a_clear_message(make_app, db, web_engine):
    staff, child, instance, task = to_booking(db, web_engine)
    make_user(db, "bs2", "business_support", team=None)
    app = make_app()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "bs")
    sign_in(second, "bs2")
    assert post_form(first, f"/tasks/{task.id}/claim", {}, token_from="/inbox").status_code == 302
    refused = post_form(second, f"/tasks/{task.id}/claim", {}, token_from="/inbox")
    assert refused.status_code == 403
    assert "already been taken" in page(refused).select_one("main").text


@pytest.mark.parametrize("who", ["sw", "chair"])
def test_passing_on_to_someone_without_the_role_is_refused(client, db, web_engine, who):
    staff, child, instance, task = to_booking(db, web_engine)
    sign_in(client, "tm")
    response = post_form(
        client, f"/tasks/{task.id}/reassign", {"colleague": who}, token_from="/inbox"
    )
    assert response.status_code == 400  # a wrong choice of colleague, not a refusal
    assert "does not hold the role" in page(response).select_one("main").text
    db.expire_all()
    assert ready(db, instance.id)["book_conference"].assignee_id is None


def test_another_role_cannot_claim_and_an_unknown_task_is_not_found(client, db, web_engine):
    staff, child, instance, task = to_booking(db, web_engine)
    sign_in(client, "sw")
    assert post_form(client, f"/tasks/{task.id}/claim", {}, token_from="/inbox").status_code == 403
    assert post_form(client, "/tasks/nope/claim", {}, token_from="/inbox").status_code == 404


def test_an_escalated_step_says_how_far_up_the_chain_it_went(client, db, web_engine):
    staff, child, instance, task = to_booking(db, web_engine)
    task.escalation_level = 2
    db.commit()
    sign_in(client, "bs")
    tags = [t.text.strip() for t in page(client.get("/inbox")).select("#inbox .govuk-tag")]
    assert "Escalated to service manager" in tags


def test_a_named_step_the_case_left_unnamed_is_claimed_then_given_back(client, db, web_engine):
    """The diagram gives "first" to the case's social worker, but the case named none: it
    went to the social workers' pool; whoever claims it sees "Give back", and it goes back."""
    staff = make_staff(db)
    deploy_test_diagram(db, "two_steps")
    child = make_child(db, web_engine, staff["sw"])
    data = {"social_worker": None, "team_manager": "tm"}
    instance = web_engine.start(db, "two_steps", staff["sw"], data, child_id=child.id)
    task = ready(db, instance.id)["first"]
    assert web_engine.named_by_diagram(db, [task]) == {task.id} and task.assignee_id is None
    sign_in(client, "sw")
    claimed = post_form(client, f"/tasks/{task.id}/claim", {"back": "/inbox"}, token_from="/inbox")
    assert claimed.status_code == 302
    html = page(client.get("/inbox?scope=mine"))
    buttons = [b.text.strip() for b in html.select("#inbox button")]
    assert any(b.startswith("Give back") for b in buttons), buttons
    back = post_form(client, f"/tasks/{task.id}/unclaim", {"back": "/inbox"}, token_from="/inbox")
    assert back.status_code == 302
    db.expire_all()
    assert ready(db, instance.id)["first"].assignee_id is None
    # Handed to a person by a manager, it is theirs: no pool to give it back to.
    web_engine.assign(db, staff["tm"], task.id, "sw")
    html = page(client.get("/inbox?scope=mine"))
    assert not [b for b in html.select("#inbox button") if b.text.strip().startswith("Give back")]
