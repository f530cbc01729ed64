from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine import schema
from engine.models import Base


def test_the_database_is_migrated_to_head(db_engine):
    assert schema.current_revision(db_engine) == schema.head_revision()


def test_migrations_create_exactly_the_models(db_engine):
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_task_rows_made_before_0013_get_their_instances_child(other_database):
    """The upgrade fills human_tasks.child_id from each row's instance, in place: a task with
    a draft (a row other tables refer to) is kept, not copied."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from engine.db import make_engine
    from engine.models import Child, HumanTask, ProcessInstance, User
    from engine.models.drafts import TaskDraft
    from engine.models.processes import ProcessVersion

    db_engine = make_engine(other_database)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    try:
        schema.upgrade(db_engine, "0012")
        with db_engine.begin() as connection:
            # Core inserts name only the columns given, so they fit the schema of 0012.
            connection.execute(
                insert(User), [{"id": 1, "username": "sw", "display_name": "Sw", "email": "x"}]
            )
            connection.execute(
                insert(Child),
                [{"id": 7, "reference": "C7", "given_name": "A", "family_name": "B"}],
            )
            connection.execute(
                insert(ProcessVersion),
                [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h",
                  "bpmn_xml": "", "deployed_by": "tests"}],
            )  # fmt: skip
            common = {"process_id": "p", "version_id": 1, "state": "", "lock_version": 1}
            connection.execute(
                insert(ProcessInstance),
                [{"id": 1, "child_id": 7, **common}, {"id": 2, "child_id": None, **common}],
            )
            task = {"task_spec": "s", "title": "S", "created_at": now}
            connection.execute(
                insert(HumanTask),
                [
                    {"id": "with-child", "instance_id": 1, **task},
                    {"id": "done", "instance_id": 1, "state": "completed", **task},
                    {"id": "no-child", "instance_id": 2, **task},
                ],
            )
            connection.execute(
                insert(TaskDraft), [{"task_id": "with-child", "user_id": 1, "values": {}}]
            )
        schema.upgrade(db_engine)
        with db_engine.connect() as connection:
            rows = dict(connection.execute(select(HumanTask.id, HumanTask.child_id)).all())
            drafts = connection.scalar(select(TaskDraft.task_id))
        assert rows == {"with-child": 7, "done": 7, "no-child": None}
        assert drafts == "with-child"
    finally:
        db_engine.dispose()
