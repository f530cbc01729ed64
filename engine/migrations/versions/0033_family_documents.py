"""family_documents: one agenda, letter and set of minutes for a family conference

A document a family conference's step sends covers every child of its group: the record
names the group, and a brother's or sister's later step that finds its child already covered
records that instead of sending again (`covered_by_id`, the family document's record).

Revision ID: 0033_family_documents
Revises: 0032_started_from
Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_family_documents"
down_revision = "0032_started_from"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_records") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("covered_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_document_records_group_id_conference_groups",
            "conference_groups",
            ["group_id"],
            ["id"],
        )
        batch.create_foreign_key(
            "fk_document_records_covered_by_id_document_records",
            "document_records",
            ["covered_by_id"],
            ["id"],
        )
        batch.create_index("ix_document_records_group_id", ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("document_records") as batch:
        batch.drop_index("ix_document_records_group_id")
        batch.drop_constraint(
            "fk_document_records_covered_by_id_document_records", type_="foreignkey"
        )
        batch.drop_constraint("fk_document_records_group_id_conference_groups", type_="foreignkey")
        batch.drop_column("covered_by_id")
        batch.drop_column("group_id")
