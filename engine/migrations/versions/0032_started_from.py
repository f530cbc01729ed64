"""started_from: the workflow whose step started this one

A conference's step starts the plan's first core group and review as workflows of their own,
their due dates worked out from the day it was held. When that day is corrected, the
workflows it started are found by this link and worked out again from the corrected day;
those started by a later step (the second core group) are not. Null for a workflow a person
started, and for those started before the link was kept. No foreign key: retention deletes a
finished workflow whose follow-ons may be kept, and the link then simply finds nothing.

Revision ID: 0032_started_from
Revises: 0031_running_indexes
Create Date: 2026-12-06 01:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_started_from"
down_revision = "0031_running_indexes"
branch_labels = None
depends_on = None

TABLE = "process_instances"
COLUMN = "started_from_id"
INDEX = "ix_process_instances_started_from_id"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column(COLUMN, sa.Integer(), nullable=True))
    op.create_index(INDEX, TABLE, [COLUMN])


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    # In place (SQLite 3.35 and later drop a column): a batch copy of the table would break
    # every foreign key that points at it.
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN {COLUMN}")
