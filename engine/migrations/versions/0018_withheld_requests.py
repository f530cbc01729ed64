"""conference_requests: a report, an uploaded file or a passage to withhold; who raised it

An agreed request could withhold only a person's contact field. It may now name a whole
report, one uploaded file, or a passage of free text (withheld wherever it appears), and it
records who raised it, as the chair and invited professionals raise requests too. Old rows
have none of these.

Revision ID: 0018_withheld_requests
Revises: 0017
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_withheld_requests"
down_revision = "0017"
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


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for _column, _table, fk in KEYS:
            op.drop_constraint(op.f(fk), TABLE, type_="foreignkey")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("passage", "raised_by_id", "report_file_id", "report_id"):
            batch_op.drop_column(column)
