"""professional_links, posted_letters, a late step's chair answer, communication needs


A GP, school or health visitor invited by email without an account here could not take
part, and letters "sent by post" had no one asked to post them. A professional's single-use
report link (its token's hash, the report it is for) and each letter waiting to be posted
(the sent document, the person, when it was posted and by whom) are now rows.

A late conference needs the chair's agreement as well as a manager's; the chair's answer was
a yes/no in the manager's form. late_steps now keeps the chair's own answer, comment, who and
when (empty for old rows and for steps that are not conferences).

Letters offered nothing for someone who needs an interpreter or another format: a person on
the child's record now has their communication needs, recorded at invitation.

Revision ID: 0022_links_late_steps
Revises: 0021_accounts
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0022_links_late_steps"
down_revision = "0021_accounts"
branch_labels = None
depends_on = None

UTC = engine.models.base.UTCDateTime(timezone=True)
CHAIR_FK = "fk_late_steps_chair_id_users"


def upgrade() -> None:
    op.create_table(
        "professional_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_professional_links_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["case_people.id"],
            name=op.f("fk_professional_links_person_id_case_people"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_professional_links_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_professional_links_token_hash")),
    )
    op.create_index(
        op.f("ix_professional_links_conference_id"),
        "professional_links",
        ["conference_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_professional_links_report_id"), "professional_links", ["report_id"], unique=False
    )
    op.create_table(
        "posted_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_record_id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("queued_at", UTC, nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("posted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_record_id"],
            ["document_records.id"],
            name=op.f("fk_posted_letters_document_record_id_document_records"),
        ),
        sa.ForeignKeyConstraint(
            ["conference_id"],
            ["conferences.id"],
            name=op.f("fk_posted_letters_conference_id_conferences"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_posted_letters_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["case_people.id"], name=op.f("fk_posted_letters_person_id_case_people")
        ),
        sa.ForeignKeyConstraint(
            ["posted_by_id"], ["users.id"], name=op.f("fk_posted_letters_posted_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posted_letters")),
    )
    for column in ("conference_id", "child_id", "posted_on"):
        op.create_index(
            op.f(f"ix_posted_letters_{column}"), "posted_letters", [column], unique=False
        )
    if op.get_bind().dialect.name == "sqlite":
        # In place, as in 0014: no table copy.
        op.execute(
            f"ALTER TABLE late_steps ADD COLUMN chair_id INTEGER CONSTRAINT {CHAIR_FK} "
            "REFERENCES users (id)"
        )
    else:
        op.add_column("late_steps", sa.Column("chair_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(CHAIR_FK), "late_steps", "users", ["chair_id"], ["id"])
    op.add_column("late_steps", sa.Column("chair_agrees", sa.Boolean(), nullable=True))
    op.add_column("late_steps", sa.Column("chair_comment", sa.Text(), nullable=True))
    op.add_column("late_steps", sa.Column("chair_answered_at", UTC, nullable=True))
    op.add_column(
        "case_people", sa.Column("communication_needs", sa.String(length=400), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.drop_column("communication_needs")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(CHAIR_FK), "late_steps", type_="foreignkey")
    with op.batch_alter_table("late_steps", schema=None) as batch_op:
        for column in ("chair_answered_at", "chair_comment", "chair_agrees", "chair_id"):
            batch_op.drop_column(column)
    for column in ("posted_on", "child_id", "conference_id"):
        op.drop_index(op.f(f"ix_posted_letters_{column}"), table_name="posted_letters")
    op.drop_table("posted_letters")
    op.drop_index(op.f("ix_professional_links_report_id"), table_name="professional_links")
    op.drop_index(op.f("ix_professional_links_conference_id"), table_name="professional_links")
    op.drop_table("professional_links")
