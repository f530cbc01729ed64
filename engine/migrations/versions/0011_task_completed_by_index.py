"""index human_tasks.completed_by_id for case access

Case access asks "which children's steps did this person do?"; without an index that is a
scan of every task row on every list page.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 12:30:00
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_human_tasks_completed_by_id"), ["completed_by_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_tasks_completed_by_id"))
