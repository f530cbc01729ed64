"""running_indexes: the timer sweep and the running-instance lists read running rows only

After ten years a council keeps hundreds of thousands of finished instances beside a few
thousand running ones. Two partial indexes hold only the live rows, so what reads them costs
the same whatever has finished: the timer sweep's claim (instances with a timer waiting; an
instance that ends clears `next_timer_at`) and the running or suspended instances, newest
first (the instance list filtered by status).

Revision ID: 0031_running_indexes
Revises: 0030_group_withholding
Create Date: 2026-12-05 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_running_indexes"
down_revision = "0030_group_withholding"
branch_labels = None
depends_on = None

TABLE = "process_instances"
INDEXES = {
    "ix_process_instances_timer_due": ("next_timer_at", "next_timer_at IS NOT NULL"),
    "ix_process_instances_live": ("id", "status IN ('running', 'suspended')"),
}


def upgrade() -> None:
    for name, (column, where) in INDEXES.items():
        op.create_index(
            name,
            TABLE,
            [column],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name=TABLE)
