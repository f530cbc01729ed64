"""Two people complete the same task at the same moment, on two real database connections."""

import threading

from engine.models import HumanTask, ProcessInstance
from engine.platform.errors import ConcurrentUpdate, TaskAlreadyCompleted
from engine.service import Engine
from engine.workflow import serialization
from tests.factories import deploy_test_diagram, make_staff, make_user, ready


def test_a_double_completion_has_one_winner_and_one_clear_error(db, sessions, clock, monkeypatch):
    staff = make_staff(db)
    other_worker = make_user(db, "sw_b", "social_worker")
    deploy_test_diagram(db, "two_steps")
    # Unassigned (no social worker allocated yet): either social worker may complete it.
    instance = Engine(clock=clock).start(
        db, "two_steps", staff["sw"], {"social_worker": None, "team_manager": "tm"}
    )
    task_id = ready(db, instance.id)["first"].id
    version_before = instance.lock_version

    # Both requests must have read the instance and run the step before either saves.
    both_ran = threading.Barrier(2, timeout=10)
    real_dumps = serialization.dumps

    def dumps_after_both_ran(workflow):
        both_ran.wait()
        return real_dumps(workflow)

    monkeypatch.setattr(serialization, "dumps", dumps_after_both_ran)
    outcomes = {}

    def attempt(actor, start_date):
        session = sessions()  # its own connection, its own engine cache: two workers
        try:
            Engine(clock=clock).complete(session, task_id, actor, {"start_date": start_date})
            outcomes[actor.username] = "won"
        except (TaskAlreadyCompleted, ConcurrentUpdate) as exc:
            outcomes[actor.username] = exc
        finally:
            session.close()

    threads = [
        threading.Thread(target=attempt, args=(staff["sw"], "2026-03-02")),
        threading.Thread(target=attempt, args=(other_worker, "2026-03-03")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    losers = [outcome for outcome in outcomes.values() if outcome != "won"]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    winner = staff["sw"] if winners == ["sw"] else other_worker
    assert isinstance(losers[0], TaskAlreadyCompleted)
    assert f"already been completed by {winner.display_name}" in str(losers[0])

    db.expire_all()
    row = db.get(HumanTask, task_id)
    assert (row.state, row.completed_by_id) == ("completed", winner.id)
    saved = db.get(ProcessInstance, instance.id)
    assert saved.lock_version == version_before + 1
    assert list(ready(db, instance.id)) == ["second"]  # exactly one next task, not two
