import warnings
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from engine.models import Base
from engine.platform import schema


def a_child_and_a_version(connection) -> None:
    """Child 7 and version 1 of process "p", as Core inserts: they name only the columns
    given, so they fit the schema of an earlier revision."""
    from sqlalchemy import insert

    from engine.models import Child
    from engine.models.processes import ProcessVersion

    connection.execute(
        insert(Child), [{"id": 7, "reference": "C7", "given_name": "A", "family_name": "B"}]
    )
    connection.execute(
        insert(ProcessVersion),
        [{"id": 1, "process_id": "p", "name": "p", "content_hash": "h", "bpmn_xml": "",
          "deployed_by": "tests"}],
    )  # fmt: skip


def test_the_database_is_migrated_to_head(db_engine):
    assert schema.current_revision(db_engine) == schema.head_revision()


def test_migrations_create_exactly_the_models(db_engine):
    with db_engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot give back an index on an expression, so Alembic skips comparing the
        # trigram ones; they are PostgreSQL's only (test_0035 checks both databases).
        warnings.filterwarnings("ignore", "autogenerate skipping .* index 'ix_children_.*_trgm'")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_task_rows_made_before_0013_get_their_instances_child(other_database):
    """The upgrade fills human_tasks.child_id from each row's instance, in place: a task with
    a draft (a row other tables refer to) is kept, not copied."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from engine.models import HumanTask, ProcessInstance, User
    from engine.models.drafts import TaskDraft
    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    try:
        schema.upgrade(db_engine, "0012")
        with db_engine.begin() as connection:
            # Core inserts name only the columns given, so they fit the schema of 0012.
            connection.execute(
                insert(User), [{"id": 1, "username": "sw", "display_name": "Sw", "email": "x"}]
            )
            a_child_and_a_version(connection)
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


def test_reports_made_before_0014_get_the_one_person_their_author_names(other_database):
    """An agency report gets the professional of that name invited to its conference; a
    parent's report the family member of that name; a name two people share, nobody."""
    from sqlalchemy import insert, select

    from engine.models import CasePerson, Conference, Invitation, ProcessInstance, Report
    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0013")
        with db_engine.begin() as connection:
            a_child_and_a_version(connection)
            connection.execute(
                insert(ProcessInstance),
                [{"id": 1, "child_id": 7, "process_id": "p", "version_id": 1, "state": "",
                  "lock_version": 1}],
            )  # fmt: skip
            conference = {"child_id": 7, "instance_id": 1, "kind": "icpc"}
            connection.execute(
                insert(Conference),
                [{"id": 1, "due_on": date(2027, 1, 11), **conference},
                 {"id": 2, "due_on": date(2027, 4, 11), **conference}],
            )  # fmt: skip
            person = {"child_id": 7, "relationship_or_agency": ""}
            connection.execute(
                insert(CasePerson),
                [{"id": 1, "kind": "professional", "name": "Robin Hall", **person},
                 {"id": 2, "kind": "family", "name": "Robin Hall", **person},
                 {"id": 3, "kind": "family", "name": "Sam Lee", **person},
                 {"id": 4, "kind": "family", "name": "Sam Lee", **person}],
            )  # fmt: skip
            connection.execute(
                insert(Invitation), [{"id": 1, "conference_id": 1, "person_id": 1, "role": "x"}]
            )
            connection.execute(
                insert(Report),
                [{"id": 1, "conference_id": 1, "kind": "agency", "author": "Robin Hall"},
                 {"id": 2, "conference_id": 1, "kind": "parent", "author": "Robin Hall"},
                 {"id": 3, "conference_id": 1, "kind": "parent", "author": "Sam Lee"},
                 {"id": 4, "conference_id": 2, "kind": "agency", "author": "Robin Hall"},
                 {"id": 5, "conference_id": 1, "kind": "social_worker", "author": "Robin Hall"}],
            )  # fmt: skip
        schema.upgrade(db_engine)
        with db_engine.connect() as connection:
            rows = dict(connection.execute(select(Report.id, Report.person_id)).all())
        # 4: the officer was not invited to the review; 5: nobody on the record writes it
        assert rows == {1: 1, 2: 2, 3: None, 4: None, 5: None}
    finally:
        db_engine.dispose()


def test_0016_refuses_children_with_two_running_conferences_and_downgrades(other_database):
    """Duplicates made before the index are named, not deleted; the downgrade drops it."""
    import pytest
    from alembic import command
    from sqlalchemy import insert, inspect, update

    from engine.models import ProcessInstance
    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0015")
        with db_engine.begin() as connection:
            a_child_and_a_version(connection)
            row = {"child_id": 7, "process_id": "icpc", "version_id": 1, "state": "",
                   "lock_version": 1}  # fmt: skip
            connection.execute(insert(ProcessInstance), [{"id": 1, **row}, {"id": 2, **row}])
        with pytest.raises(RuntimeError, match="child 7: 2 running icpc"):
            schema.upgrade(db_engine)
        assert schema.current_revision(db_engine) == "0015"
        with db_engine.begin() as connection:
            connection.execute(
                update(ProcessInstance).where(ProcessInstance.id == 2).values(status="terminated")
            )
        schema.upgrade(db_engine)
        names = {i["name"] for i in inspect(db_engine).get_indexes("process_instances")}
        assert "uq_process_instances_one_running_per_child" in names
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0015")
        names = {i["name"] for i in inspect(db_engine).get_indexes("process_instances")}
        assert "uq_process_instances_one_running_per_child" not in names
    finally:
        db_engine.dispose()


def test_0017_adds_what_a_request_names_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    added = {"person_id", "field", "withheld_from_id", "excluded_from"}
    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0016")
        schema.upgrade(db_engine, "0017")
        columns = {c["name"] for c in inspect(db_engine).get_columns("conference_requests")}
        assert added <= columns
        keys = inspect(db_engine).get_foreign_keys("conference_requests")
        assert {("case_people", tuple(k["constrained_columns"])) for k in keys} >= {
            ("case_people", ("person_id",)),
            ("case_people", ("withheld_from_id",)),
        }
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0016")
        columns = {c["name"] for c in inspect(db_engine).get_columns("conference_requests")}
        assert not added & columns
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0018_numbers_versions_within_each_process_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect, text

    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0017")
        with db_engine.begin() as connection:
            for process_id in ("icpc", "rcpc", "icpc", "icpc", "rcpc"):
                connection.execute(
                    text(
                        "INSERT INTO process_versions (process_id, name, content_hash, bpmn_xml,"
                        " deployed_at, deployed_by, comment) VALUES (:p, :p, :h, '<x/>',"
                        " '2026-03-02 09:00:00+00:00', 'owner', '')"
                    ),
                    {"p": process_id, "h": f"{process_id}{connection.info.setdefault('n', 0)}"},
                )
        schema.upgrade(db_engine, "0018_version_numbers")
        with db_engine.connect() as connection:
            rows = connection.execute(
                text("SELECT process_id, number FROM process_versions ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [
            ("icpc", 1),
            ("rcpc", 1),
            ("icpc", 2),
            ("icpc", 3),
            ("rcpc", 2),
        ]
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0017")
        columns = {c["name"] for c in inspect(db_engine).get_columns("process_versions")}
        assert "number" not in columns
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0019_adds_the_sweep_progress_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0018_version_numbers")
        schema.upgrade(db_engine, "0019_sweep_progress")
        columns = {c["name"] for c in inspect(db_engine).get_columns("scheduler_processes")}
        assert "sweep_busy_since" in columns
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0018_version_numbers")
        columns = {c["name"] for c in inspect(db_engine).get_columns("scheduler_processes")}
        assert "sweep_busy_since" not in columns
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0020_adds_request_targets_and_report_shares_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    added = {"report_id", "report_file_id", "passage", "raised_by_id"}
    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0019_sweep_progress")
        schema.upgrade(db_engine, "0020_withholding")
        columns = {c["name"] for c in inspect(db_engine).get_columns("conference_requests")}
        assert added <= columns
        assert "report_shares" in inspect(db_engine).get_table_names()
        keys = inspect(db_engine).get_foreign_keys("conference_requests")
        assert {(k["referred_table"], tuple(k["constrained_columns"])) for k in keys} >= {
            ("reports", ("report_id",)),
            ("report_files", ("report_file_id",)),
            ("users", ("raised_by_id",)),
        }
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0019_sweep_progress")
        columns = {c["name"] for c in inspect(db_engine).get_columns("conference_requests")}
        assert not added & columns
        assert "report_shares" not in inspect(db_engine).get_table_names()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0021_moves_sign_in_to_the_server_and_downgrades(other_database):
    """Existing users keep signing in (no temporary password forced on them); the lockout
    columns give way to the throttle's table, and come back on a downgrade."""
    from alembic import command
    from sqlalchemy import inspect, text

    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0020_withholding")
        with db_engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, username, display_name, email, active, "
                    "service_account, notify, failed_sign_ins, created_at) "
                    "VALUES (1, 'sw', 'Sw', 'x', true, false, 'immediate', 3, "
                    "'2026-03-02 10:00:00')"
                )
            )
        schema.upgrade(db_engine, "0021_accounts")
        columns = {c["name"] for c in inspect(db_engine).get_columns("users")}
        assert {"must_change_password", "last_signed_in_at"} <= columns
        assert not {"failed_sign_ins", "locked_until"} & columns
        assert {"user_sessions", "sign_in_failures"} <= set(inspect(db_engine).get_table_names())
        with db_engine.connect() as connection:
            assert connection.scalar(text("SELECT must_change_password FROM users")) in (0, False)
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0020_withholding")
        columns = {c["name"] for c in inspect(db_engine).get_columns("users")}
        assert {"failed_sign_ins", "locked_until"} <= columns
        assert "must_change_password" not in columns
        assert "user_sessions" not in inspect(db_engine).get_table_names()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0022_adds_professional_links_and_posted_letters_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0022_links_late_steps")
        tables = set(inspect(db_engine).get_table_names())
        assert {"professional_links", "posted_letters"} <= tables
        late = {c["name"] for c in inspect(db_engine).get_columns("late_steps")}
        assert {"chair_agrees", "chair_comment", "chair_answered_at"} <= late
        people = {c["name"] for c in inspect(db_engine).get_columns("case_people")}
        assert "communication_needs" in people
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0021_accounts")
        tables = set(inspect(db_engine).get_table_names())
        assert not {"professional_links", "posted_letters"} & tables
        late = {c["name"] for c in inspect(db_engine).get_columns("late_steps")}
        assert "chair_agrees" not in late
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0023_adds_attendance_and_the_booking_reason_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def added():
        found = inspect(db_engine)
        return {
            (table, c["name"])
            for table in ("invitations", "conferences", "plan_actions")
            for c in found.get_columns(table)
        }

    wanted = {
        ("invitations", "attendance"),
        ("invitations", "core_group"),
        ("conferences", "booking_reason"),
        ("conferences", "decision_reasons"),
        ("conferences", "plan_outcomes"),
        ("plan_actions", "progress"),
    }
    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0022_links_late_steps")
        assert not wanted & added()
        schema.upgrade(db_engine, "0023_conference_record")
        assert wanted <= added()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0022_links_late_steps")
        assert not wanted & added()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0024_makes_an_enquiry_of_each_initial_conference_and_downgrades(other_database):
    """Enquiries recorded before 0018 come from their conferences (initial and pre-birth,
    not transfer-in or review), the target 15 working days from the strategy discussion."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, inspect, select

    from engine.models import Conference, ProcessInstance, Section47Enquiry
    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    try:
        schema.upgrade(db_engine, "0023_conference_record")
        with db_engine.begin() as connection:
            a_child_and_a_version(connection)
            connection.execute(
                insert(ProcessInstance),
                [{"id": 1, "child_id": 7, "process_id": "p", "version_id": 1, "state": "",
                  "lock_version": 1}],
            )  # fmt: skip
            common = {"child_id": 7, "instance_id": 1, "created_at": now}
            none = {"strategy_discussion_date": None, "s47_start_date": None}
            dates = {
                "strategy_discussion_date": date(2026, 3, 27),  # Easter falls in the 15 days
                "s47_start_date": date(2026, 3, 30),
            }
            connection.execute(
                insert(Conference),
                [
                    {"id": 1, "kind": "pre_birth", "due_on": date(2026, 4, 10), **dates, **common},
                    {"id": 2, "kind": "transfer_in", "due_on": date(2026, 4, 10), **none, **common},
                    {"id": 3, "kind": "rcpc", "due_on": date(2026, 7, 1), **none, **common},
                ],
            )
        schema.upgrade(db_engine, "0024_s47_enquiries")
        with db_engine.connect() as connection:
            rows = connection.execute(
                select(
                    Section47Enquiry.instance_id,
                    Section47Enquiry.s47_start_date,
                    Section47Enquiry.icpc_target_date,
                    Section47Enquiry.conference_needed,
                )
            ).all()
        assert [tuple(r) for r in rows] == [(1, date(2026, 3, 30), date(2026, 4, 21), True)]
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0023_conference_record")
        assert "s47_enquiries" not in inspect(db_engine).get_table_names()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0025_adds_form_versions_and_pins_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    tables = {"form_versions", "form_drafts", "diagram_form_pins"}
    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0024_s47_enquiries")
        assert not tables & set(inspect(db_engine).get_table_names())
        schema.upgrade(db_engine, "0025_form_versions")
        assert tables <= set(inspect(db_engine).get_table_names())
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0024_s47_enquiries")
        assert not tables & set(inspect(db_engine).get_table_names())
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0026_makes_teams_and_their_managers_from_the_accounts_and_downgrades(other_database):
    """Each team named on an account becomes a team; a team manager manages their own."""
    from alembic import command
    from sqlalchemy import insert, inspect, text

    from engine.models import User, UserRole
    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0025_form_versions")
        with db_engine.begin() as connection:
            connection.execute(
                insert(User),
                [{"id": i, "username": u, "display_name": u, "email": "x", "team": t}
                 for i, u, t in ((1, "tm", "North"), (2, "sw", "North"), (3, "sw2", "South"),
                                 (4, "bs", None))],
            )  # fmt: skip
            connection.execute(
                insert(UserRole),
                [{"user_id": 1, "role": "team_manager"}, {"user_id": 2, "role": "social_worker"}],
            )
        schema.upgrade(db_engine, "0026_settings_teams")
        with db_engine.connect() as connection:
            teams = connection.execute(text("SELECT name FROM teams ORDER BY name")).scalars()
            assert list(teams) == ["North", "South"]
            managers = connection.execute(
                text(
                    "SELECT teams.name, user_id FROM team_managers "
                    "JOIN teams ON teams.id = team_managers.team_id"
                )
            ).all()
            assert [tuple(m) for m in managers] == [("North", 1)]
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0025_form_versions")
        tables = set(inspect(db_engine).get_table_names())
        assert not tables & {"teams", "team_managers", "council_settings"}
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0027_adds_the_process_catalogue_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0026_settings_teams")
        assert "process_catalogue" not in inspect(db_engine).get_table_names()
        schema.upgrade(db_engine, "0027_process_catalogue")
        columns = {c["name"] for c in inspect(db_engine).get_columns("process_catalogue")}
        assert {"from_child_page", "from_diagrams", "copied_from", "retired_at"} <= columns
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0026_settings_teams")
        assert "process_catalogue" not in inspect(db_engine).get_table_names()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0028_adds_families_and_conference_groups_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def found():
        seen = inspect(db_engine)
        tables = set(seen.get_table_names())
        columns = {
            (table, c["name"])
            for table in ("children", "conferences")
            for c in seen.get_columns(table)
        }
        return tables, columns

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0027_process_catalogue")
        tables, columns = found()
        assert not {"families", "conference_groups"} & tables
        assert ("conferences", "group_id") not in columns
        schema.upgrade(db_engine, "0028_family_conferences")
        tables, columns = found()
        assert {"families", "conference_groups"} <= tables
        assert {("children", "family_id"), ("conferences", "group_id")} <= columns
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0027_process_catalogue")
        tables, columns = found()
        assert not {"families", "conference_groups"} & tables
        assert ("children", "family_id") not in columns
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0029_adds_a_sent_documents_frozen_data_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def columns():
        return {c["name"] for c in inspect(db_engine).get_columns("document_records")}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0028_family_conferences")
        assert "data" not in columns()
        schema.upgrade(db_engine, "0029_frozen_documents")
        assert "data" in columns()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0028_family_conferences")
        assert "data" not in columns()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0030_adds_group_withholding_keeps_each_request_audience_and_downgrades(
    other_database,
):
    """A request recorded before 0030 named one person in withheld_from_id: that person is
    its one audience row after the upgrade."""
    from alembic import command
    from sqlalchemy import insert, inspect, text

    from engine.models import CasePerson, Conference, ProcessInstance
    from engine.platform.db import make_engine

    def columns(table):
        return {c["name"] for c in inspect(db_engine).get_columns(table)}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0029_frozen_documents")
        with db_engine.begin() as connection:
            a_child_and_a_version(connection)
            connection.execute(
                insert(ProcessInstance),
                [{"id": 1, "child_id": 7, "process_id": "p", "version_id": 1, "state": "",
                  "lock_version": 1}],
            )  # fmt: skip
            connection.execute(
                insert(Conference),
                [{"id": 1, "child_id": 7, "instance_id": 1, "kind": "icpc",
                  "due_on": date(2026, 4, 10)}],
            )  # fmt: skip
            connection.execute(
                insert(CasePerson),
                [{"id": 3, "child_id": 7, "kind": "family", "name": "Tom Okoye"}],
            )
            connection.execute(
                text(
                    "INSERT INTO conference_requests (id, conference_id, kind, details, "
                    "withheld_from_id) VALUES (1, 1, 'withhold', 'x', 3), "
                    "(2, 1, 'exclude', 'y', NULL)"
                )
            )
        assert "from_group" not in columns("withheld_items")
        schema.upgrade(db_engine, "0030_group_withholding")
        assert "from_group" in columns("withheld_items")
        assert "withheld_from_group" in columns("conference_requests")
        with db_engine.connect() as connection:
            rows = connection.execute(text("SELECT request_id, person_id FROM request_audiences"))
            assert [tuple(r) for r in rows] == [(1, 3)]
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0029_frozen_documents")
        assert "request_audiences" not in inspect(db_engine).get_table_names()
        assert "withheld_from_group" not in columns("conference_requests")
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0031_adds_the_live_row_indexes_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.models.instances import LIVE, TIMER_DUE
    from engine.platform.db import make_engine

    def indexes():
        return {i["name"] for i in inspect(db_engine).get_indexes("process_instances")}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0030_group_withholding")
        assert not {LIVE, TIMER_DUE} & indexes()
        schema.upgrade(db_engine, "0031_running_indexes")
        assert {LIVE, TIMER_DUE} <= indexes()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0030_group_withholding")
        assert not {LIVE, TIMER_DUE} & indexes()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0032_adds_the_started_from_link_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def columns():
        return {c["name"] for c in inspect(db_engine).get_columns("process_instances")}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0031_running_indexes")
        assert "started_from_id" not in columns()
        schema.upgrade(db_engine, "0032_started_from")
        assert "started_from_id" in columns()
        indexes = {i["name"] for i in inspect(db_engine).get_indexes("process_instances")}
        assert "ix_process_instances_started_from_id" in indexes
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0031_running_indexes")
        assert "started_from_id" not in columns()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0033_adds_a_family_document_s_group_and_cover_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def columns():
        return {c["name"] for c in inspect(db_engine).get_columns("document_records")}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0032_started_from")
        assert not {"group_id", "covered_by_id"} & columns()
        schema.upgrade(db_engine, "0033_family_documents")
        assert {"group_id", "covered_by_id"} <= columns()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0032_started_from")
        assert not {"group_id", "covered_by_id"} & columns()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0034_adds_the_open_work_indexes_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    added = {
        "human_tasks": {"ix_human_tasks_ready_due"},
        "process_instances": {"ix_process_instances_running"},
    }

    def present():
        found = inspect(db_engine)
        return {t: {i["name"] for i in found.get_indexes(t)} & names for t, names in added.items()}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0033_family_documents")
        assert present() == {t: set() for t in added}
        schema.upgrade(db_engine, "0034_open_work_indexes")
        assert present() == added
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0033_family_documents")
        assert present() == {t: set() for t in added}
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0035_adds_the_ready_steps_and_trigram_indexes_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.models.instances import READY_STAGES
    from engine.models.people import TRIGRAM_INDEXES
    from engine.platform.db import make_engine

    def indexes():
        found = inspect(db_engine)
        return {i["name"] for t in ("children", "human_tasks") for i in found.get_indexes(t)}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0034_open_work_indexes")
        assert not set(TRIGRAM_INDEXES) & indexes()
        assert READY_STAGES not in indexes()
        schema.upgrade(db_engine, "0035_decade_lists")
        assert READY_STAGES in indexes()
        if db_engine.dialect.name == "postgresql":
            assert set(TRIGRAM_INDEXES) <= indexes()
        else:  # SQLite has no trigram index: the search reads the table there
            assert not set(TRIGRAM_INDEXES) & indexes()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0034_open_work_indexes")
        assert not {READY_STAGES, *TRIGRAM_INDEXES} & indexes()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0036_ends_the_social_worker_index_with_the_child_id_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.platform.db import make_engine

    def indexes():
        return {i["name"]: i["column_names"] for i in inspect(db_engine).get_indexes("children")}

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0035_decade_lists")
        assert indexes()["ix_children_social_worker_id"] == ["social_worker_id"]
        assert "ix_children_social_worker_id_id" not in indexes()
        schema.upgrade(db_engine, "0036_team_children")
        assert indexes()["ix_children_social_worker_id_id"] == ["social_worker_id", "id"]
        assert "ix_children_social_worker_id" not in indexes()
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0035_decade_lists")
        assert indexes()["ix_children_social_worker_id"] == ["social_worker_id"]
        assert "ix_children_social_worker_id_id" not in indexes()
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()


def test_0037_leads_the_ready_steps_index_with_the_state_and_downgrades(other_database):
    from alembic import command
    from sqlalchemy import inspect

    from engine.models.instances import READY_STAGES
    from engine.platform.db import make_engine

    def columns():
        found = inspect(db_engine).get_indexes("human_tasks")
        return next(i["column_names"] for i in found if i["name"] == READY_STAGES)

    db_engine = make_engine(other_database)
    try:
        schema.upgrade(db_engine, "0036_team_children")
        assert columns() == ["task_spec", "title"]
        schema.upgrade(db_engine, "0037_ready_stages_by_state")
        assert columns() == ["state", "task_spec", "title"]
        with db_engine.begin() as connection:
            command.downgrade(schema.alembic_config(connection), "0036_team_children")
        assert columns() == ["task_spec", "title"]
        schema.upgrade(db_engine)
    finally:
        db_engine.dispose()
