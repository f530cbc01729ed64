"""frozen_documents: a sent document keeps the data it was sent with

A step that sends a document records its data, frozen, beside the fingerprint, and the PDF
is rendered from that data when someone downloads or prints it, never inside the step. Rows
sent before this revision have none and are rendered from the case as before.

Revision ID: 0029_frozen_documents
Revises: 0028_family_conferences
Create Date: 2026-12-05 22:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_frozen_documents"
down_revision = "0028_family_conferences"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("document_records") as batch:
        batch.add_column(sa.Column("data", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document_records") as batch:
        batch.drop_column("data")
