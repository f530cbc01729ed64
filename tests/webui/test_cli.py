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
    assert run(app, "deploy", str(PROCESSES)).exit_code == 0
    assert "Loaded" in run(app, "demo-data").output
    assert "already loaded" in run(app, "demo-data").output
    assert db.scalar(select(User).where(User.username == "chair1")) is not None


def test_scheduler_once_catches_up_every_overdue_timer_and_exits(app, db, clock):
    import json
    from datetime import timedelta

    from engine.models import Escalation
    from tests.engine.test_timers import END_OF_4_MARCH, start_deadline
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
