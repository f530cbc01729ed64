"""open_work_indexes: the managers' views of waiting steps read waiting steps only

Ten years leave millions of finished task rows beside a few thousand waiting ones. A partial
index holds the waiting (ready) steps by due date, with the columns the managers' views show
(carried in the index on PostgreSQL), and another the running instances: "overdue now", a
team's steps, what falls due and the dashboard's overdue counts read those index entries
alone, whatever has finished.

Revision ID: 0034_open_work_indexes
Revises: 0033_family_documents
Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_open_work_indexes"
down_revision = "0033_family_documents"
branch_labels = None
depends_on = None

# (table, columns, the rows held, the columns carried besides on PostgreSQL): what the
# views read of a waiting step is carried in its index, so they never visit the task table.
CARRIED = ["instance_id", "child_id", "assignee_id", "role", "escalation_level", "title"]
INDEXES = {
    "ix_human_tasks_ready_due": ("human_tasks", ["due_on", "id"], "state = 'ready'", CARRIED),
    "ix_process_instances_running": ("process_instances", ["id"], "status = 'running'", []),
}


def upgrade() -> None:
    for name, (table, columns, where, carried) in INDEXES.items():
        op.create_index(
            name,
            table,
            columns,
            postgresql_where=sa.text(where),
            postgresql_include=carried,
            sqlite_where=sa.text(where),
        )


def downgrade() -> None:
    for name, (table, *_rest) in INDEXES.items():
        op.drop_index(name, table_name=table)
