"""A backup restored into another database: the instances carry on from where they were."""

from datetime import timedelta

import pytest

from engine.models import ProcessInstance, make_session_factory
from engine.platform import backup, schema
from engine.platform.db import make_engine
from engine.service import Engine
from engine.workflow import timers
from tests.engine.workflow.test_timers import END_OF_4_MARCH, start_deadline
from tests.factories import complete, make_staff, ready


def test_a_restored_database_carries_on_its_instances(
    db, db_url, engine, clock, tmp_path, other_database
):
    staff = make_staff(db)
    instance = start_deadline(db, engine, staff)
    dump = backup.backup(db_url, tmp_path / "cpc.backup")
    assert dump.stat().st_size > 0

    backup.restore(other_database, dump)
    restored_db = make_engine(other_database)
    try:
        assert schema.current_revision(restored_db) == schema.head_revision()
        sessions = make_session_factory(restored_db)
        carried_on = Engine(clock=clock)  # a new process: nothing cached from before
        clock.set(END_OF_4_MARCH + timedelta(minutes=1))
        assert timers.sweep(sessions, carried_on, "restored-worker").timers == 1
        with sessions() as session:
            assert list(ready(session, instance.id)) == ["step"]
            sw = session.merge(staff["sw"], load=True)
            complete(session, carried_on, instance.id, "step", sw)
            assert session.get(ProcessInstance, instance.id).status == "completed"
        db.expire_all()
        assert db.get(ProcessInstance, instance.id).status == "running"  # the original is as it was

        restored_db.dispose()
        backup.restore(other_database, dump)  # over a database in use: back to the backup
        with sessions() as session:
            again = session.get(ProcessInstance, instance.id)
            assert again.status == "running" and again.next_timer_at == END_OF_4_MARCH
    finally:
        restored_db.dispose()


def test_backup_and_restore_refuse_clearly(db_url, tmp_path, other_database):
    existing = tmp_path / "taken.backup"
    existing.write_text("x")
    with pytest.raises(backup.BackupFailed, match="already exists"):
        backup.backup(db_url, existing)
    with pytest.raises(backup.BackupFailed, match="There is no backup file"):
        backup.restore(other_database, tmp_path / "missing.backup")
    with pytest.raises(backup.BackupFailed):
        backup.restore(other_database, existing)  # not a backup: nothing restored
