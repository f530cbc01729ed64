import shutil

from sqlalchemy import select

from engine.models import ProcessVersion, User
from tests.factories import PROCESSES, TEST_DIAGRAMS


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_deploy_validates_every_file_and_deploys_nothing_if_one_is_bad(app, db, tmp_path):
    shutil.copy(PROCESSES / "icpc.bpmn", tmp_path / "icpc.bpmn")
    (tmp_path / "broken.bpmn").write_text("<bpmn:definitions")
    result = run(app, "deploy", str(tmp_path))
    assert result.exit_code != 0
    assert "Nothing deployed" in result.output and "broken.bpmn" in result.output
    assert db.scalars(select(ProcessVersion)).all() == []
    (tmp_path / "broken.bpmn").unlink()
    assert "icpc: deployed as version" in run(app, "deploy", str(tmp_path)).output
    assert "unchanged" in run(app, "deploy", str(tmp_path)).output


def test_deploy_refuses_a_diagram_whose_forms_are_missing(app, db, tmp_path):
    shutil.copy(TEST_DIAGRAMS / "two_steps.bpmn", tmp_path)
    result = run(app, "deploy", str(tmp_path))
    assert result.exit_code != 0
    assert "no form definition for formKey “test/first”" in result.output


def test_create_user_and_demo_data(app, db):
    result = run(
        app,
        "create-user",
        "sw9",
        "--name",
        "Sam Nine",
        "--email",
        "s@x.invalid",
        "--role",
        "social_worker",
        "--password",
        "long enough password",
    )
    assert result.exit_code == 0, result.output
    assert (
        run(
            app,
            "create-user",
            "sw9",
            "--name",
            "X",
            "--email",
            "x@x.invalid",
            "--role",
            "social_worker",
            "--password",
            "p",
        ).exit_code
        != 0
    )
    for weak, why in (
        ("a", "at least 12"),
        ("password", "at least 12"),
        ("1qaz2wsx3edc", "common"),
    ):
        refused = run(
            app,
            "create-user",
            "sw10",
            "--name",
            "Ten",
            "--email",
            "t@x.invalid",
            "--role",
            "social_worker",
            "--password",
            weak,
        )
        assert refused.exit_code != 0 and why in refused.output
    assert db.scalar(select(User).where(User.username == "sw10")) is None
    assert run(app, "deploy", str(PROCESSES)).exit_code == 0
    assert "Loaded" in run(app, "demo-data").output
    assert "already loaded" in run(app, "demo-data").output
    assert db.scalar(select(User).where(User.username == "chair1")) is not None


def test_scheduler_once_catches_up_every_overdue_timer_and_exits(app, db, clock):
    import json
    from datetime import timedelta

    from engine.models import Escalation
    from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
    from tests.factories import make_staff

    engine = app.extensions["cpc"].workflow
    start_deadline(db, engine, make_staff(db))
    clock.set(END_OF_4_MARCH + timedelta(days=30))  # the service was down for a month
    result = run(app, "scheduler", "--once")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    # Both timers fired: the escalation to tm, and the hand-over task tm is told about.
    assert (summary["timers"], summary["instances"], summary["mail_sent"]) == (2, 1, 2)
    assert len(db.scalars(select(Escalation)).all()) == 1
    assert json.loads(run(app, "scheduler", "--once").output)["timers"] == 0


def test_db_upgrade_and_current_report_the_schema(app, db, db_engine, make_app, tmp_path):
    from sqlalchemy import text

    from engine.platform.schema import head_revision

    result = run(app, "db", "upgrade")
    assert result.output == f"Database already at schema {head_revision()}.\n"
    assert run(app, "db", "current").exit_code == 0
    with db_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0002'"))
    try:
        behind = run(app, "db", "current")
    finally:
        with db_engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()}
            )
    assert behind.exit_code == 1
    assert f"Database at schema 0002; this release needs {head_revision()}" in behind.output
    empty = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    upgraded = run(empty, "db", "upgrade")
    assert upgraded.output == f"Database migrated from schema none to {head_revision()}.\n"
    assert run(empty, "db", "current").exit_code == 0


def test_db_backup_then_restore_brings_back_what_was_there(app, db, tmp_path):
    from tests.factories import make_user

    make_user(db, "kept", "social_worker")
    dump = tmp_path / "cpc.backup"
    result = run(app, "db", "backup", str(dump))
    assert result.exit_code == 0 and result.output.startswith(f"Backed up to {dump}")
    assert run(app, "db", "backup", str(dump)).exit_code == 1  # never overwrites a backup
    make_user(db, "later", "social_worker")
    refused = app.test_cli_runner().invoke(args=["db", "restore", str(dump)], input="n\n")
    assert refused.exit_code == 1
    db.close()
    restored = run(app, "db", "restore", "--yes", str(dump))
    assert restored.exit_code == 0, restored.output
    assert "Restored from" in restored.output
    assert sorted(db.scalars(select(User.username))) == ["kept"]


def test_service_account_and_its_tokens_from_the_command_line(app, db):
    made = run(
        app,
        "create-service-account",
        "cms",
        "--name",
        "Case management system",
        "--email",
        "cms@x.invalid",
        "--role",
        "team_manager",
    )
    assert made.exit_code == 0, made.output
    account = db.scalars(select(User).where(User.username == "cms")).one()
    assert account.service_account and account.password_hash is None
    created = run(app, "token", "create", "cms", "--name", "nightly report")
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).json["username"] == "cms"
    listed = run(app, "token", "list", "--user", "cms").output
    assert "nightly report" in listed and "active" in listed and secret not in listed
    assert run(app, "token", "revoke", "1").exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert "revoked" in run(app, "token", "list").output
    refused = run(app, "token", "create", "nobody", "--name", "x")
    assert refused.exit_code != 0 and "no user called “nobody”" in refused.output
    expiring = run(app, "token", "create", "cms", "--name", "trial", "--expires-in-days", "7")
    assert expiring.exit_code == 0, expiring.output
    assert "expires 2026-" in run(app, "token", "list").output
