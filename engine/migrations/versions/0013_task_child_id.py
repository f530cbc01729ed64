"""human_tasks.child_id: each task row carries its instance's child, for case access

Case access asks "which children are this person's tasks, done steps and role pools about?"
on every list page; answered through process_instances, that is one instance lookup per task
(business support's pool alone is over a thousand). The child is copied onto the row when it
is made (an instance's child never changes) and each index case access reads ends with it, so
the answer comes from the index. The rows already there get their instance's child.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

FK = "fk_human_tasks_child_id_children"
INDEXES = [  # (old index, its columns) -> (new index, its columns)
    (
        ("ix_human_tasks_state_role", ["state", "role"]),
        (
            "ix_human_tasks_state_role_assignee_id_child_id",
            ["state", "role", "assignee_id", "child_id"],
        ),
    ),
    (
        ("ix_human_tasks_assignee_id_state", ["assignee_id", "state"]),
        ("ix_human_tasks_assignee_id_state_child_id", ["assignee_id", "state", "child_id"]),
    ),
    (
        ("ix_human_tasks_completed_by_id", ["completed_by_id"]),
        ("ix_human_tasks_completed_by_id_child_id", ["completed_by_id", "child_id"]),
    ),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place. Batch mode would copy the table
        # and drop the old one, which fails once task drafts refer to its rows.
        op.execute(
            f"ALTER TABLE human_tasks ADD COLUMN child_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES children (id)"
        )
    else:
        op.add_column("human_tasks", sa.Column("child_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(FK), "human_tasks", "children", ["child_id"], ["id"])
    op.execute(
        "UPDATE human_tasks SET child_id = (SELECT process_instances.child_id "
        "FROM process_instances WHERE process_instances.id = human_tasks.instance_id)"
    )
    for (old, _), (new, columns) in INDEXES:
        op.drop_index(op.f(old), table_name="human_tasks")
        op.create_index(op.f(new), "human_tasks", columns, unique=False)


def downgrade() -> None:
    for (old, columns), (new, _) in INDEXES:
        op.drop_index(op.f(new), table_name="human_tasks")
        op.create_index(op.f(old), "human_tasks", columns, unique=False)
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(FK), "human_tasks", type_="foreignkey")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("child_id")
