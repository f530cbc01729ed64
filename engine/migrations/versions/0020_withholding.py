"""Withholding: a request's report, file or passage and raiser; reports shared per parent

An agreed request could withhold only a person's contact field. It may now name a whole
report, one uploaded file, or a passage of free text (withheld wherever it appears), and it
records who raised it, as the chair and invited professionals raise requests too. Old rows
have none of these.

A report was marked shared with "the parents" as one date, even when it was withheld from one
of them. `report_shares` records it per parent; existing shared reports are given to each
parent invited to their conference from whom the report is not withheld.

Revision ID: 0020_withholding
Revises: 0019_sweep_progress
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_withholding"
down_revision = "0019_sweep_progress"
branch_labels = None
depends_on = None

TABLE = "conference_requests"
KEYS = (
    ("report_id", "reports", "fk_conference_requests_report_id_reports"),
    ("report_file_id", "report_files", "fk_conference_requests_report_file_id_report_files"),
    ("raised_by_id", "users", "fk_conference_requests_raised_by_id_users"),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, table, fk in KEYS:
        if sqlite:
            # In place, as in 0014 and 0017: no table copy.
            op.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {fk} REFERENCES {table} (id)"
            )
        else:
            op.add_column(TABLE, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(fk), TABLE, table, [column], ["id"])
    op.add_column(TABLE, sa.Column("passage", sa.Text(), nullable=True))
    op.create_table(
        "report_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("shared_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_shares_report_id_reports")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["case_people.id"], name=op.f("fk_report_shares_person_id_case_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_shares")),
        sa.UniqueConstraint(
            "report_id", "person_id", name=op.f("uq_report_shares_report_id_person_id")
        ),
    )
    op.create_index(op.f("ix_report_shares_report_id"), "report_shares", ["report_id"])
    op.execute(
        "INSERT INTO report_shares (report_id, person_id, shared_on) "
        "SELECT DISTINCT r.id, i.person_id, r.shared_with_parents_on FROM reports r "
        "JOIN invitations i ON i.conference_id = r.conference_id AND i.role = 'parent' "
        "WHERE r.shared_with_parents_on IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM withheld_items w WHERE w.record = 'report' AND w.record_id = r.id "
        "AND w.field = 'summary' AND w.lifted_at IS NULL AND w.from_person_id = i.person_id)"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_shares_report_id"), table_name="report_shares")
    op.drop_table("report_shares")
    if op.get_bind().dialect.name != "sqlite":
        for _column, _table, fk in KEYS:
            op.drop_constraint(op.f(fk), TABLE, type_="foreignkey")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("passage", "raised_by_id", "report_file_id", "report_id"):
            batch_op.drop_column(column)
