"""process_catalogue: processes made in the browser, how they start, and retirement

A process owner can now make a process (blank, a copy, or an imported file) and say whether it
starts from a child's page, from another diagram's `start_process`, or both; and retire any
process, so that nothing new starts on it while running cases carry on.

Revision ID: 0027_process_catalogue
Revises: 0026_settings_teams
Create Date: 2026-12-05 22:30:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0027_process_catalogue"
down_revision = "0026_settings_teams"
branch_labels = None
depends_on = None

WHEN = engine.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "process_catalogue",
        sa.Column("process_id", sa.String(length=64), nullable=False),
        sa.Column("from_child_page", sa.Boolean(), nullable=False),
        sa.Column("from_diagrams", sa.Boolean(), nullable=False),
        sa.Column("copied_from", sa.String(length=64), nullable=True),
        sa.Column("made_from", sa.String(length=200), server_default="", nullable=False),
        sa.Column("made_at", WHEN, nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("made_by", sa.String(length=80), server_default="", nullable=False),
        sa.Column("retired_at", WHEN, nullable=True),
        sa.Column("retired_by", sa.String(length=80), nullable=True),
        sa.Column("retired_why", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["made_by_id"], ["users.id"], name=op.f("fk_process_catalogue_made_by_id_users")
        ),
        sa.PrimaryKeyConstraint("process_id", name=op.f("pk_process_catalogue")),
    )


def downgrade() -> None:
    op.drop_table("process_catalogue")
