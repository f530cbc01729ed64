from datetime import timedelta

from engine.models import OutboxMessage, ProcessInstance
from engine.models.outbox import FAILED
from engine.platform.db import transaction
from engine.workflow import timers
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
from tests.factories import deploy_test_diagram, make_child, make_staff, make_user
from tests.webui.conftest import page, post_form, sign_in


def test_managers_see_what_is_due_and_social_workers_cannot(client, db, web_engine, clock):
    instance = start_deadline(db, web_engine, make_staff(db))
    sign_in(client, "sw")
    assert client.get("/scheduler").status_code == 403
    sign_in(client, "sm")  # the case belongs to no child: service managers see it
    html = page(client.get("/scheduler"))
    assert html.title.text.startswith("Scheduler")
    assert "none is running" in html.select_one("#summary").text
    rows = html.select("#due-next tbody tr")
    assert [r.select("td")[1].text for r in rows] == ["Overdue", "Expired"]
    assert instance.reference in rows[0].text and rows[0].select(".govuk-tag") == []
    clock.set(END_OF_4_MARCH + timedelta(minutes=5))
    html = page(client.get("/scheduler"))
    assert html.select("#due-next tbody tr")[0].select_one(".govuk-tag").text.strip() == "Overdue"
    assert "Scheduler" in [a.text.strip() for a in html.select(".govuk-service-navigation__link")]


def test_a_manager_retries_a_failed_timer_and_a_failed_email(
    client, db, web_engine, clock, sessions
):
    staff = make_staff(db)
    instance = start_deadline(db, web_engine, staff, process_id="timer_fails")
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    for _ in range(timers.MAX_ATTEMPTS):
        timers.sweep(sessions, web_engine, "worker")
        clock.advance(hours=1)
    with transaction(db):
        failed = OutboxMessage(
            idempotency_key="escalation:x",
            kind="escalation",
            to_user_id=staff["tm"].id,
            to_address="tm@example.invalid",
            subject="Overdue: The step (X)",
            body="Overdue.",
            status=FAILED,
            attempts=10,
            last_error="SMTPRecipientsRefused",
        )
        db.add(failed)
    sign_in(client, "sm")
    html = page(client.get("/scheduler"))
    failing = html.select_one("#failing-timers").text
    assert instance.reference in failing and "division by zero" in failing and "Stopped" in failing
    assert "SMTPRecipientsRefused" in html.select_one("#mail-failed").text
    response = post_form(
        client, f"/scheduler/timers/{instance.id}/retry", {}, follow=True, token_from="/scheduler"
    )
    assert "will be tried again now" in page(response).text
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).timer_failed_at is None
    response = post_form(
        client, f"/scheduler/mail/{failed.id}/retry", {}, follow=True, token_from="/scheduler"
    )
    assert "will be sent again now" in page(response).text
    db.expire_all()
    assert db.get(OutboxMessage, failed.id).status == "pending"
    again = post_form(client, f"/scheduler/timers/{instance.id}/retry", {}, token_from="/scheduler")
    assert again.status_code == 400  # nothing left to retry: a clear message, not a crash


def test_retrying_an_unknown_email_is_a_404(client, db):
    make_staff(db)
    sign_in(client, "tm")
    response = post_form(client, "/scheduler/mail/999/retry", {}, token_from="/scheduler")
    assert response.status_code == 404


def test_managers_see_health_checks_and_the_versions_cases_run_on(
    client, db, web_engine, clock, tmp_path
):
    from tests.factories import TEST_DIAGRAMS, deploy_file

    staff = make_staff(db)
    first = start_deadline(db, web_engine, staff)
    changed = tmp_path / "deadline.bpmn"
    changed.write_text((TEST_DIAGRAMS / "deadline.bpmn").read_text() + "<!-- release 2 -->\n")
    second = deploy_file(db, changed, by="ops", check_forms=False)
    sign_in(client, "tm")
    html = page(client.get("/scheduler"))
    rows = [
        [" ".join(td.text.split()) for td in tr.select("td")]
        for tr in html.select("#versions tbody tr")
    ]
    assert [(r[1], r[3]) for r in rows] == [
        (f"{second.id} Newest", "0"),
        (f"{first.version_id} Replaced", "1"),
    ]
    assert "by ops" in rows[0][2]
    checks = [li.text.split() for li in html.select("#checks li")]
    assert [c[:2] for c in checks] == [
        ["OK", "Database:"],
        ["OK", "Database"],
        ["Problem", "Scheduler"],
        ["OK", "Email"],
    ]


def test_a_manager_sees_and_retries_only_the_cases_they_may_see(
    client, db, web_engine, clock, sessions
):
    """A South team manager sees none of North's cases or their emails, and cannot retry them;
    the service manager sees both. The health counts name no case and stay whole."""
    staff = make_staff(db)
    make_user(db, "tm_south", "team_manager", team="South")
    child = make_child(db, web_engine, staff["sw"])
    deploy_test_diagram(db, "timer_fails")
    data = {"social_worker": "sw", "team_manager": "tm", "due_date": "2026-03-04"}
    instance = web_engine.start(db, "timer_fails", staff["sw"], data, child_id=child.id)
    clock.set(END_OF_4_MARCH + timedelta(minutes=1))
    for _ in range(timers.MAX_ATTEMPTS):
        timers.sweep(sessions, web_engine, "worker")
        clock.advance(hours=1)
    with transaction(db):
        failed = OutboxMessage(
            idempotency_key="escalation:north",
            kind="escalation",
            to_user_id=staff["tm"].id,
            to_address="tm@example.invalid",
            subject=f"Overdue: The step ({instance.reference})",
            body="Overdue.",
            status=FAILED,
            attempts=10,
            instance_id=instance.id,
        )
        db.add(failed)
    sign_in(client, "tm_south")
    text = page(client.get("/scheduler")).text
    assert instance.reference not in text
    assert "Emails failed" in text
    timer_retry = post_form(
        client, f"/scheduler/timers/{instance.id}/retry", {}, token_from="/scheduler"
    )
    mail_retry = post_form(
        client, f"/scheduler/mail/{failed.id}/retry", {}, token_from="/scheduler"
    )
    assert (timer_retry.status_code, mail_retry.status_code) == (403, 403)
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).timer_failed_at is not None
    assert db.get(OutboxMessage, failed.id).status == FAILED
    for manager in ("tm", "sm"):
        sign_in(client, manager)
        html = page(client.get("/scheduler"))
        assert instance.reference in html.select_one("#failing-timers").text
        assert instance.reference in html.select_one("#mail-failed").text
