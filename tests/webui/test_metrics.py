from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from engine.workflow import timers
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
from tests.factories import complete, make_staff
from tests.webui.conftest import post_form, sign_in


def scrape(client, **kwargs) -> dict:
    """Every sample as {(name, sorted label items): value}."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_figures_move_when_a_timer_fires_and_a_task_is_completed(
    client, db, sessions, web_engine, clock
):
    staff = make_staff(db)
    instance = start_deadline(db, web_engine, staff)
    before = scrape(client)
    assert value(before, "cpc_instances", process="deadline", status="running") == 1
    assert value(before, "cpc_timers_waiting") == 2 and value(before, "cpc_timers_overdue") == 0
    assert value(before, "cpc_deployed_version", process="deadline") == instance.version_id

    clock.set(END_OF_4_MARCH + timedelta(seconds=90))
    late = scrape(client)
    assert value(late, "cpc_timers_overdue") == 1
    assert value(late, "cpc_timer_overdue_seconds") == 90

    assert timers.sweep(sessions, web_engine, "worker-a").timers == 1
    fired = scrape(client)
    assert value(fired, "cpc_timers_fired_total", process="deadline") == (
        value(before, "cpc_timers_fired_total", process="deadline") + 1
    )
    lag_count = "cpc_timer_lag_seconds_count"
    assert (
        value(fired, lag_count, process="deadline")
        == value(before, lag_count, process="deadline") + 1
    )
    assert value(fired, "cpc_timer_lag_seconds_sum", process="deadline") == (
        value(before, "cpc_timer_lag_seconds_sum", process="deadline") + 90
    )
    assert (value(fired, "cpc_timers_overdue"), value(fired, "cpc_timers_waiting")) == (0, 1)
    assert value(fired, "cpc_outbox_messages", status="pending") == 1  # the escalation

    db.expire_all()  # the sweep moved the instance on in its own session
    complete(db, web_engine, instance.id, "step", staff["sw"])
    done = scrape(client)
    assert value(done, "cpc_task_completions_total", process="deadline") == (
        value(fired, "cpc_task_completions_total", process="deadline") + 1
    )
    assert value(done, "cpc_instances", process="deadline", status="running") == 0
    assert value(done, "cpc_timers_waiting") == 0


def test_request_latency_is_labelled_by_url_rule_and_sign_in_failures_are_counted(client, db):
    make_staff(db)
    before = scrape(client)
    sign_in(client, "sw")
    client.get("/tasks/0f0e0d0c-not-a-task")
    bad = post_form(client, "/sign-in", {"username": "tm", "password": "wrong password"})
    assert bad.status_code == 400
    client.get("/no/such/page")
    after = scrape(client)
    name = "cpc_http_request_duration_seconds_count"
    assert value(after, name, endpoint="/tasks/<task_id>", method="GET") == (
        value(before, name, endpoint="/tasks/<task_id>", method="GET") + 1
    )
    assert value(after, name, endpoint="unmatched", method="GET") >= 1
    assert (
        value(after, "cpc_sign_in_failures_total")
        == value(before, "cpc_sign_in_failures_total") + 1
    )
    labels = {v for (_name, items) in after for _k, v in items}
    assert not any("0f0e0d0c" in v or v in ("sw", "tm") for v in labels)


def test_metrics_need_the_token_when_one_is_set(make_app):
    client = make_app(METRICS_TOKEN="t" * 24).test_client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 24})
    assert wrong.status_code == 401 and wrong.get_json()["status"] == 401
    assert scrape(client, headers={"Authorization": "Bearer " + "t" * 24})


def test_without_a_token_metrics_answer_only_this_machine(client):
    assert scrape(client)  # the test client comes from 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    proxied = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403
