"""documents: generated and sent documents, uploaded report files, family links, feedback

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-23 11:01:02.753661
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("file_format", sa.String(length=4), nullable=True),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("generated_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_by_name", sa.String(length=200), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_document_records_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["users.id"],
            name=op.f("fk_document_records_generated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_records")),
    )
    with op.batch_alter_table("document_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_document_records_conference_id"), ["conference_id"], unique=False
        )

    op.create_table(
        "family_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", engine.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_family_links_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_family_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["case_people.id"], name=op.f("fk_family_links_person_id_case_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_family_links_token_hash")),
    )
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_family_links_conference_id"), ["conference_id"], unique=False
        )

    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_feedback_responses_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["family_links.id"],
            name=op.f("fk_feedback_responses_link_id_family_links"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_feedback_responses_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
    )
    with op.batch_alter_table("feedback_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feedback_responses_conference_id"), ["conference_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_feedback_responses_submitted_at"), ["submitted_at"], unique=False
        )

    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("uploaded_at", engine.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_files_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_report_files_uploaded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_files_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_files_report_id"))

    op.drop_table("report_files")
    with op.batch_alter_table("feedback_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_responses_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_feedback_responses_conference_id"))

    op.drop_table("feedback_responses")
    with op.batch_alter_table("family_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_links_conference_id"))

    op.drop_table("family_links")
    with op.batch_alter_table("document_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_records_conference_id"))

    op.drop_table("document_records")
