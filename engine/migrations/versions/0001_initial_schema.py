"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 00:24:59.575645
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("given_name", sa.String(length=120), nullable=False),
        sa.Column("family_name", sa.String(length=120), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("expected_date_of_birth", sa.Date(), nullable=True),
        sa.Column("social_worker_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["social_worker_id"], ["users.id"], name=op.f("fk_children_social_worker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint("reference", name=op.f("uq_children_reference")),
    )
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_children_social_worker_id"), ["social_worker_id"], unique=False
        )

    op.create_table(
        "process_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("deployed_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deployed_by_id", sa.Integer(), nullable=True),
        sa.Column("deployed_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployed_by_id"], ["users.id"], name=op.f("fk_process_versions_deployed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_versions")),
    )
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_versions_process_id"), ["process_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_versions_process_id_content_hash"),
            ["process_id", "content_hash"],
            unique=False,
        )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_role"), ["role"], unique=False)

    op.create_table(
        "process_instances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.Column("next_timer_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_process_instances_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_process_instances_started_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["process_versions.id"],
            name=op.f("fk_process_instances_version_id_process_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_process_instances")),
    )
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_process_instances_child_id"), ["child_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_process_id"), ["process_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_process_instances_status_next_timer_at"),
            ["status", "next_timer_at"],
            unique=False,
        )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_audit_events_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_actor_id_at"), ["actor_id", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_audit_events_instance_id_at"), ["instance_id", "at"], unique=False
        )

    op.create_table(
        "human_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("task_spec", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lane", sa.String(length=120), nullable=True),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("form_key", sa.String(length=200), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_human_tasks_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_human_tasks_completed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_human_tasks_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_tasks")),
    )
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_human_tasks_assignee_id_state"), ["assignee_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_human_tasks_instance_id_state"), ["instance_id", "state"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_human_tasks_state_role"), ["state", "role"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_tasks_state_role"))
        batch_op.drop_index(batch_op.f("ix_human_tasks_instance_id_state"))
        batch_op.drop_index(batch_op.f("ix_human_tasks_assignee_id_state"))

    op.drop_table("human_tasks")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_instance_id_at"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_id_at"))

    op.drop_table("audit_events")
    with op.batch_alter_table("process_instances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_instances_status_next_timer_at"))
        batch_op.drop_index(batch_op.f("ix_process_instances_process_id"))
        batch_op.drop_index(batch_op.f("ix_process_instances_child_id"))

    op.drop_table("process_instances")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_role"))

    op.drop_table("user_roles")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_process_versions_process_id_content_hash"))
        batch_op.drop_index(batch_op.f("ix_process_versions_process_id"))

    op.drop_table("process_versions")
    with op.batch_alter_table("children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_children_social_worker_id"))

    op.drop_table("children")
    op.drop_table("users")
