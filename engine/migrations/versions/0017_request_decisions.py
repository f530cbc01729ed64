"""conference_requests: what an agreed request does (whose field, from whom, which part)

A request to withhold or exclude was free text, so agreeing it could change nothing: no
withheld item was made and no one could see what was decided. A request now may name the
person on the child's record it is about, the field of theirs to withhold, the person it is
withheld from, and (for an exclusion) the part of the meeting they miss. Old rows keep their
text and have none of these.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "conference_requests"
PEOPLE = (
    ("person_id", "fk_conference_requests_person_id_case_people"),
    ("withheld_from_id", "fk_conference_requests_withheld_from_id_case_people"),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, fk in PEOPLE:
        if sqlite:
            # In place, as in 0014: no table copy.
            op.execute(
                f"ALTER TABLE {TABLE} ADD COLUMN {column} INTEGER "
                f"CONSTRAINT {fk} REFERENCES case_people (id)"
            )
        else:
            op.add_column(TABLE, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(fk), TABLE, "case_people", [column], ["id"])
    op.add_column(TABLE, sa.Column("field", sa.String(length=40), nullable=True))
    op.add_column(TABLE, sa.Column("excluded_from", sa.Text(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for _column, fk in PEOPLE:
            op.drop_constraint(op.f(fk), TABLE, type_="foreignkey")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in ("excluded_from", "field", "withheld_from_id", "person_id"):
            batch_op.drop_column(column)
