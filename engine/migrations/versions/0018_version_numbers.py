"""process_versions.number: versions numbered 1, 2, 3 within each process

Version numbers were the table's id, shared by every process, so icpc's first version was
version 3 and a process owner could not tell from a number how many versions a process had.
Each version now has its number within its process; existing rows are numbered in the order
they were deployed. Ids stay as they were and still name a version in links and moves.

Revision ID: 0018_version_numbers
Revises: 0017
Create Date: 2026-12-05 19:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_version_numbers"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "process_versions"
INDEX = "ix_process_versions_process_id_number"


def upgrade() -> None:
    # NOT NULL with a default: added in place on SQLite as on PostgreSQL, then numbered.
    op.add_column(TABLE, sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        f"UPDATE {TABLE} SET number = (SELECT COUNT(*) FROM {TABLE} AS earlier "
        f"WHERE earlier.process_id = {TABLE}.process_id AND earlier.id <= {TABLE}.id)"
    )
    op.create_index(INDEX, TABLE, ["process_id", "number"], unique=True)


def downgrade() -> None:
    op.drop_index(INDEX, table_name=TABLE)
    # In place on SQLite (3.35+) too: a batch table copy would break the foreign keys to it.
    op.execute(f"ALTER TABLE {TABLE} DROP COLUMN number")
