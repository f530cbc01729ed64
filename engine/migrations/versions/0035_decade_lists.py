"""decade_lists: find a child by part of a name or reference among ten years of children

The instance list's search by child reads children whose reference or full name contains
what was typed, in any case. After ten years a council holds hundreds of thousands of
children, and a "contains" test read every one of them. On PostgreSQL two trigram indexes
(pg_trgm) answer it from the index instead: one on the lower-cased reference, one on the
lower-cased full name (which contains the given and the family name, so one test on it
covers both). SQLite keeps reading the table: it has no trigram index, and a council runs
PostgreSQL.

Every instance list page also offers the steps something waits at now; that read all ready
task rows (10,000 at a large council, each from its own table page). A partial index on
(task_spec, title) of ready rows lets the list step from one waiting step to the next.

Revision ID: 0035_decade_lists
Revises: 0034_open_work_indexes
Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_decade_lists"
down_revision = "0034_open_work_indexes"
branch_labels = None
depends_on = None

# The expressions as the search writes them (engine/models/instance_search.py), so the
# planner matches them to the indexes.
INDEXES = {
    "ix_children_reference_trgm": "lower(reference)",
    "ix_children_full_name_trgm": "lower((given_name || ' ') || family_name)",
}


READY_STAGES = "ix_human_tasks_ready_stages"


def upgrade() -> None:
    where = sa.text("state = 'ready'")
    op.create_index(
        READY_STAGES,
        "human_tasks",
        ["task_spec", "title"],
        postgresql_where=where,
        sqlite_where=where,
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON children USING gin ({expression} gin_trgm_ops)")


def downgrade() -> None:
    op.drop_index(READY_STAGES, table_name="human_tasks")
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
