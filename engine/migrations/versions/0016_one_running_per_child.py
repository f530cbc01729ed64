"""One running conference, and one plan ending, per child: a partial unique index

Starting a workflow checked for a running one and then inserted, so two people starting an
ICPC for the same child at the same moment both got one (198 of 200 simultaneous starts on
PostgreSQL). The database now refuses the second: at most one `icpc` and one `end_plan`
instance per child may be running or suspended (`ONE_RUNNING_PER_CHILD` in
engine/models/instances.py; reviews and core groups overlap by design and are not covered).

A database that already holds such duplicates is not changed: the upgrade stops and names
them, for a manager to end the surplus ones (terminate) before upgrading again.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-10 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEX = "uq_process_instances_one_running_per_child"
# A copy, as a migration must keep meaning what it meant when written.
WHERE = "status IN ('running', 'suspended') AND process_id IN ('icpc', 'end_plan')"


def upgrade() -> None:
    duplicates = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT child_id, process_id, COUNT(*) FROM process_instances "
                f"WHERE child_id IS NOT NULL AND {WHERE} "
                "GROUP BY child_id, process_id HAVING COUNT(*) > 1 ORDER BY child_id, process_id"
            )
        )
        .all()
    )
    if duplicates:
        found = "; ".join(f"child {c}: {n} running {p}" for c, p, n in duplicates)
        raise RuntimeError(
            "Some children have more than one running workflow of a kind that allows only one "
            f"({found}). Terminate the surplus ones, then upgrade again."
        )
    op.create_index(
        INDEX,
        "process_instances",
        ["child_id", "process_id"],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="process_instances")
