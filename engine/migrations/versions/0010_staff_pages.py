"""staff pages: task drafts kept per task and person

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-23 11:30:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_drafts",
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("saved_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["human_tasks.id"], name=op.f("fk_task_drafts_task_id_human_tasks")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_task_drafts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("task_id", "user_id", name=op.f("pk_task_drafts")),
    )


def downgrade() -> None:
    op.drop_table("task_drafts")
