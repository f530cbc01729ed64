"""ready_stages_by_state: SQLite reads the waiting steps from their partial index too

The instance list offers the steps something waits at now, stepping through the partial index
of ready rows on (task_spec, title) one step at a time (migration 0035). PostgreSQL, with its
planner statistics, used it. SQLite has none (the product never runs ANALYZE), and for "the
smallest task_spec of a ready row" it preferred the index that leads with the state (an
equality on its first column) and read every ready row from the table: 96 ms of a 113 ms
instance list at 50,000 instances, on each list page. The partial index now leads with the
state as well, so the equality and the step's range are both on it and either planner reads
one index entry a step (0.02 ms), never the table. The state is the same in every entry: it
costs a few bytes an entry of the ready rows alone.

Revision ID: 0037_ready_stages_by_state
Revises: 0036_team_children
Create Date: 2026-12-07 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_ready_stages_by_state"
down_revision = "0036_team_children"
branch_labels = None
depends_on = None

READY_STAGES = "ix_human_tasks_ready_stages"


def _create(columns: list[str]) -> None:
    where = sa.text("state = 'ready'")
    op.create_index(
        READY_STAGES, "human_tasks", columns, postgresql_where=where, sqlite_where=where
    )


def upgrade() -> None:
    op.drop_index(READY_STAGES, table_name="human_tasks")
    _create(["state", "task_spec", "title"])


def downgrade() -> None:
    op.drop_index(READY_STAGES, table_name="human_tasks")
    _create(["task_spec", "title"])
