"""diagram editor: drafts, why each version was deployed, instance moves between versions

Revision ID: 0006
Revises: 0008
Create Date: 2026-11-23 11:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.Text(), server_default="", nullable=False))

    op.create_table(
        "diagram_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("bpmn_xml", sa.Text(), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("saved_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("saved_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["based_on_id"],
            ["process_versions.id"],
            name=op.f("fk_diagram_drafts_based_on_id_process_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_id"], ["users.id"], name=op.f("fk_diagram_drafts_saved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagram_drafts")),
        sa.UniqueConstraint("process_id", name=op.f("uq_diagram_drafts_process_id")),
    )
    op.create_table(
        "instance_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("from_version_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("previous_state", sa.Text(), nullable=False),
        sa.Column("lock_after", sa.Integer(), nullable=False),
        sa.Column("moved_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("moved_by_id", sa.Integer(), nullable=True),
        sa.Column("moved_by", sa.String(length=80), nullable=False),
        sa.Column("reverted_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reverted_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["from_version_id"],
            ["process_versions.id"],
            name=op.f("fk_instance_moves_from_version_id_process_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_instance_moves_instance_id_process_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["moved_by_id"], ["users.id"], name=op.f("fk_instance_moves_moved_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["to_version_id"],
            ["process_versions.id"],
            name=op.f("fk_instance_moves_to_version_id_process_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_moves")),
    )
    with op.batch_alter_table("instance_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instance_moves_instance_id"), ["instance_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("instance_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instance_moves_instance_id"))
    op.drop_table("instance_moves")
    op.drop_table("diagram_drafts")
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_column("comment")
