"""group_withholding: withhold from several people, or from a whole group, in one step

A chair could withhold information from one family member at a time, and a request named
one person only; keeping a third party's details from "all family members" took one item
per person and missed anyone added to the case later. A withheld item may now name a group
("family" or "non_professionals"), whose members are found whenever data is read; a request
names a group and any number of people (request_audiences, one row per person). Requests
recorded before this revision named one person in withheld_from_id: that person becomes
their one audience row.

Revision ID: 0030_group_withholding
Revises: 0029_frozen_documents
Create Date: 2026-12-05 22:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_group_withholding"
down_revision = "0029_frozen_documents"
branch_labels = None
depends_on = None

TABLE = "request_audiences"


def upgrade() -> None:
    op.add_column("withheld_items", sa.Column("from_group", sa.String(length=40), nullable=True))
    op.add_column(
        "conference_requests",
        sa.Column("withheld_from_group", sa.String(length=40), nullable=True),
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["conference_requests.id"],
            name=op.f("fk_request_audiences_request_id_conference_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["case_people.id"],
            name=op.f("fk_request_audiences_person_id_case_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_audiences")),
        sa.UniqueConstraint(
            "request_id", "person_id", name=op.f("uq_request_audiences_request_id_person_id")
        ),
    )
    op.create_index(op.f("ix_request_audiences_request_id"), TABLE, ["request_id"], unique=False)
    op.execute(
        f"INSERT INTO {TABLE} (request_id, person_id) SELECT id, withheld_from_id "
        "FROM conference_requests WHERE withheld_from_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_request_audiences_request_id"), table_name=TABLE)
    op.drop_table(TABLE)
    with op.batch_alter_table("conference_requests") as batch:
        batch.drop_column("withheld_from_group")
    with op.batch_alter_table("withheld_items") as batch:
        batch.drop_column("from_group")
