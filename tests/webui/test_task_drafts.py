"""The task page: a draft kept on the server, and the case's context beside the form."""

from sqlalchemy import select

from engine.models import HumanTask
from engine.models import audit as audit_module
from engine.models.drafts import TaskDraft
from tests.factories import ready, strategy_recorded
from tests.factories import start_icpc as start_case
from tests.webui.conftest import csrf, page, post_form, sign_in, statements_by_transaction
from tests.webui.test_tasks import STRATEGY

HALF_DONE = {
    "strategy_discussion_date-day": "31",
    "strategy_discussion_date-month": "2",
    "strategy_discussion_date-year": "2026",
    "action": "draft",
}


def test_a_draft_keeps_what_was_typed_even_an_invalid_date(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    response = post_form(client, f"/tasks/{task.id}", HALF_DONE)
    assert response.status_code == 302 and response.location.endswith(f"/tasks/{task.id}")
    html = page(client.get(f"/tasks/{task.id}"))
    assert html.select_one("#draft-notice") is not None
    assert html.find("input", {"name": "strategy_discussion_date-day"})["value"] == "31"
    assert ready(db, instance.id)["record_strategy_discussion"].state == "ready"
    inbox = page(client.get("/inbox"))
    assert "Draft saved" in inbox.select_one("#inbox tbody tr").text


def test_a_draft_is_private_to_its_author(client, make_app, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", HALF_DONE)
    manager = make_app().test_client()
    sign_in(manager, "tm")
    assert manager.get(f"/tasks/{task.id}").status_code == 403


def test_completing_the_task_deletes_its_drafts(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", HALF_DONE)
    assert post_form(client, f"/tasks/{task.id}", STRATEGY).status_code == 302
    db.expire_all()
    assert db.scalars(select(TaskDraft)).all() == []
    again = post_form(client, f"/tasks/{task.id}", HALF_DONE, token_from="/inbox")
    assert again.status_code == 409


def test_deleting_a_draft_brings_back_the_prefilled_form(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", HALF_DONE)
    response = post_form(
        client, f"/tasks/{task.id}/draft/delete", {}, token_from=f"/tasks/{task.id}"
    )
    assert response.status_code == 302
    html = page(client.get(f"/tasks/{task.id}"))
    assert html.select_one("#draft-notice") is None
    assert html.find("input", {"name": "strategy_discussion_date-day"}).get("value") in (None, "")


def test_the_context_shows_the_conference_and_the_steps_done(client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    strategy_recorded(db, web_engine, instance.id, staff)
    task = ready(db, instance.id)["book_conference"]
    sign_in(client, "bs")
    html = page(client.get(f"/tasks/{task.id}"))
    context = html.select_one("#task-context")
    assert "Strategy discussion" in context.text and "2 March 2026" in context.text
    assert "Record the strategy discussion" in html.select_one("#context-steps").text
    assert child.full_name in context.text


def test_a_draft_with_a_character_that_cannot_be_saved_is_refused_and_none_kept(
    client, db, web_engine
):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    response = post_form(client, f"/tasks/{task.id}", {**HALF_DONE, "no_conference_reason": "\x00"})
    assert response.status_code == 400
    assert "cannot be stored" in page(response).select_one("main").text
    assert db.scalars(select(TaskDraft)).all() == []


def test_completing_discards_the_drafts_in_the_steps_own_transaction(app, client, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", HALF_DONE)
    token = csrf(client, f"/tasks/{task.id}")
    seen = statements_by_transaction(app)
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, **STRATEGY})
    assert response.status_code == 302
    writes = [
        sqls for sqls in seen if any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in sqls)
    ]
    assert len(writes) == 1  # the page commits once: no second transaction for the drafts
    (statements,) = writes
    assert any(s.startswith("DELETE FROM task_drafts") for s in statements)
    assert any(s.startswith("UPDATE human_tasks") for s in statements)
    assert any(s.startswith("INSERT INTO audit_events") for s in statements)


def test_a_completion_that_fails_before_its_commit_keeps_the_draft(
    client, db, web_engine, monkeypatch
):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    post_form(client, f"/tasks/{task.id}", HALF_DONE)
    token = csrf(client, f"/tasks/{task.id}")
    real_record = audit_module.record_now

    def fail_at_the_completion(session, actor, action, *args, **kwargs):
        if action == "task.completed":  # after the step and the draft's deletion
            raise RuntimeError("the database went away")
        return real_record(session, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit_module, "record_now", fail_at_the_completion)
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, **STRATEGY})
    assert response.status_code == 500
    assert "Nothing you entered has been saved" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(HumanTask, task.id).state == "ready"  # true: nothing was saved
    assert [d.user_id for d in db.scalars(select(TaskDraft))] == [staff["sw"].id]


def test_a_completion_of_a_task_nobody_drafted_sends_no_delete(app, client, db, web_engine):
    """The UPDATE that marks the task done says whether it has drafts: none, no DELETE."""
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    sign_in(client, "sw")
    token = csrf(client, f"/tasks/{task.id}")
    seen = statements_by_transaction(app)
    response = client.post(f"/tasks/{task.id}", data={"csrf_token": token, **STRATEGY})
    assert response.status_code == 302
    statements = [s for sqls in seen for s in sqls]
    assert any(s.startswith("UPDATE human_tasks") for s in statements)
    assert not any(s.startswith("DELETE FROM task_drafts") for s in statements)


def test_completing_deletes_another_persons_draft_too(client, make_app, db, web_engine):
    staff, child, instance = start_case(db, web_engine)
    task = ready(db, instance.id)["record_strategy_discussion"]
    db.add(TaskDraft(task_id=task.id, user_id=staff["tm"].id, values={"x": ["1"]}))
    db.commit()
    sign_in(client, "sw")
    assert post_form(client, f"/tasks/{task.id}", STRATEGY).status_code == 302
    db.expire_all()
    assert db.scalars(select(TaskDraft)).all() == []
