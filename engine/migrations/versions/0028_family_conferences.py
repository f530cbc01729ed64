"""family_conferences: brothers and sisters linked, and seen at one conference

A family groups the children who are brothers and sisters; a conference group joins the
per-child conference rows of one meeting, so the meeting is booked once and counted once
"by conference" from this link rather than from venue and time typed alike.

Revision ID: 0028_family_conferences
Revises: 0027_process_catalogue
Create Date: 2026-12-05 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_family_conferences"
down_revision = "0027_process_catalogue"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
# (table, new column, the table it points at)
LINKS = (("children", "family_id", "families"), ("conferences", "group_id", "conference_groups"))


def upgrade() -> None:
    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
    )
    op.create_table(
        "conference_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_conference_groups_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_conference_groups_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conference_groups")),
    )
    op.create_index(
        op.f("ix_conference_groups_family_id"), "conference_groups", ["family_id"], unique=False
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, target in LINKS:
        fk = f"fk_{table}_{column}_{target}"
        if sqlite:  # in place, as in 0020: no table copy
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {fk} REFERENCES {target} (id)"
            )
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(fk), table, target, [column], ["id"])
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, target in LINKS:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        if sqlite:  # in place, as in 0021: a table copy would break the rows that point at it
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_constraint(op.f(f"fk_{table}_{column}_{target}"), table, type_="foreignkey")
            op.drop_column(table, column)
    op.drop_index(op.f("ix_conference_groups_family_id"), table_name="conference_groups")
    op.drop_table("conference_groups")
    op.drop_table("families")
