"""team_children: a team's children read from the index on their social worker alone

A team manager sees the children of their teams' social workers: 25,000 of a large council's
250,000 after ten years, every tenth row of the children table. The index on the social
worker held only that column, so finding those children read every page of the table (2,591
pages, the same pages a whole scan reads) and the planner scanned it whole. The index now
ends with the child's id: the 25,000 ids are read from about 140 index pages, never the
table. It replaces the one-column index (the same lookups, an entry of the same size).

Revision ID: 0036_team_children
Revises: 0035_decade_lists
Create Date: 2026-12-06 08:00:00
"""

from alembic import op

revision = "0036_team_children"
down_revision = "0035_decade_lists"
branch_labels = None
depends_on = None

ONE_COLUMN = "ix_children_social_worker_id"
WITH_ID = "ix_children_social_worker_id_id"


def upgrade() -> None:
    op.create_index(WITH_ID, "children", ["social_worker_id", "id"])
    op.drop_index(ONE_COLUMN, table_name="children")


def downgrade() -> None:
    op.create_index(ONE_COLUMN, "children", ["social_worker_id"])
    op.drop_index(WITH_ID, table_name="children")
