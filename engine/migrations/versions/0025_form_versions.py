"""form_versions: forms kept in the database, versioned, and pinned by each diagram version

Process owners change forms in the browser. Each deployed form version is kept, a draft waits
beside it, and each diagram version records the form versions its user tasks use, so a
running case keeps its forms. Diagram versions deployed before this revision pin nothing and
show the forms in `forms/` as before.

Revision ID: 0025_form_versions
Revises: 0024_s47_enquiries
Create Date: 2026-12-05 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025_form_versions"
down_revision = "0024_s47_enquiries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("deployed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deployed_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_versions")),
    )
    op.create_index(
        op.f("ix_form_versions_form_key_number"),
        "form_versions",
        ["form_key", "number"],
        unique=True,
    )
    op.create_table(
        "form_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_drafts")),
        sa.UniqueConstraint("form_key", name=op.f("uq_form_drafts_form_key")),
    )
    op.create_table(
        "diagram_form_pins",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=False),
        sa.Column("form_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["process_versions.id"],
            name=op.f("fk_diagram_form_pins_version_id_process_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["form_version_id"],
            ["form_versions.id"],
            name=op.f("fk_diagram_form_pins_form_version_id_form_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "form_key", name=op.f("pk_diagram_form_pins")),
    )
    op.create_index(
        op.f("ix_diagram_form_pins_form_version_id"),
        "diagram_form_pins",
        ["form_version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_diagram_form_pins_form_version_id"), table_name="diagram_form_pins")
    op.drop_table("diagram_form_pins")
    op.drop_table("form_drafts")
    op.drop_index(op.f("ix_form_versions_form_key_number"), table_name="form_versions")
    op.drop_table("form_versions")
