"""scheduler_processes.sweep_busy_since: a timer sweep that stopped making progress

The heartbeat runs on its own thread, so a process whose sweep was stuck (a diagram's code
running away, a lock never granted) kept reporting in and `/readyz` said "ready" while no
timer fired. Each heartbeat now also says since when the sweep under way last moved on.

Revision ID: 0019_sweep_progress
Revises: 0018_version_numbers
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0019_sweep_progress"
down_revision = "0018_version_numbers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scheduler_processes") as batch_op:
        batch_op.add_column(
            sa.Column(
                "sweep_busy_since", engine.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduler_processes") as batch_op:
        batch_op.drop_column("sweep_busy_since")
