from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.models import OutboxMessage
from engine.models.scheduler import SchedulerProcess
from engine.platform.db import transaction
from engine.platform.schema import head_revision


def beat(db, at, owner="host:1:abc"):
    with transaction(db):
        db.merge(
            SchedulerProcess(id=owner, host="host", pid=1, mode="app", started_at=at, beat_at=at)
        )


def ready(client):
    response = client.get("/readyz")
    body = response.get_json()
    return response.status_code, body["status"], body["checks"]


@pytest.fixture
def alive(db, clock):
    """A scheduler reported in just now: readiness is green until something breaks."""
    beat(db, clock.now())


def test_healthz_answers_without_the_database_or_a_sign_in(make_app):
    client = make_app(DATABASE_URL="sqlite:////nonexistent/folder/cpc.sqlite3").test_client()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_ready_when_every_check_passes(client, alive):
    status, word, checks = ready(client)
    assert (status, word) == (200, "ready")
    assert {name: c["ok"] for name, c in checks.items()} == {
        "database": True,
        "migrations": True,
        "scheduler": True,
        "outbox": True,
    }
    assert checks["migrations"]["detail"] == f"at {head_revision()}"


def test_unreachable_database_turns_readiness_red(make_app):
    client = make_app(DATABASE_URL="sqlite:////nonexistent/folder/cpc.sqlite3").test_client()
    status, word, checks = ready(client)
    assert (status, word) == (503, "not ready")
    assert checks["database"] == {"ok": False, "detail": "unreachable (OperationalError)"}
    assert not any(c["ok"] for c in checks.values())


def test_a_schema_behind_the_release_turns_readiness_red(client, alive, db_engine):
    with db_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    try:
        status, _word, checks = ready(client)
    finally:
        with db_engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()}
            )
    assert status == 503
    assert checks["migrations"] == {
        "ok": False,
        "detail": f"at 0002, release needs {head_revision()}: run cpc db upgrade",
    }
    assert checks["scheduler"]["ok"] and checks["outbox"]["ok"]


def test_no_scheduler_or_a_silent_one_turns_readiness_red(client, db, clock):
    status, _word, checks = ready(client)
    assert status == 503 and checks["scheduler"]["detail"].startswith("no scheduler has run")
    beat(db, clock.now())
    assert ready(client)[0] == 200
    clock.advance(minutes=2)
    status, _word, checks = ready(client)
    assert status == 503
    assert checks["scheduler"] == {
        "ok": False,
        "detail": "last heartbeat 120 s ago: timers are not firing",
    }
    assert checks["database"]["ok"] and checks["outbox"]["ok"]


def test_an_email_waiting_too_long_turns_readiness_red(client, db, clock, alive):
    with transaction(db):
        db.add(
            OutboxMessage(
                idempotency_key="reminder:1",
                kind="reminder",
                to_address="sw@example.invalid",
                subject="Due soon",
                body="Due soon.",
                created_at=clock.now() - timedelta(minutes=10),
                next_attempt_at=clock.now(),
            )
        )
    status, _word, checks = ready(client)
    assert status == 200 and checks["outbox"]["detail"] == "oldest email waiting 600 s"
    clock.advance(minutes=6)
    beat(db, clock.now())
    status, _word, checks = ready(client)
    assert status == 503
    assert checks["outbox"] == {
        "ok": False,
        "detail": "an email has waited 960 s: check the mail server",
    }


def test_a_load_balancer_asks_only_for_the_database_and_migrations(client, db, clock):
    beat(db, clock.now() - timedelta(minutes=5))  # the scheduler is silent: people must act
    assert ready(client)[0] == 503
    response = client.get("/readyz?check=database&check=migrations")
    assert response.status_code == 200
    assert set(response.get_json()["checks"]) == {"database", "migrations"}
    unknown = client.get("/readyz?check=disk")
    assert unknown.status_code == 400 and "no readiness check 'disk'" in unknown.get_json()["error"]
