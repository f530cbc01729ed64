"""reports.person_id: the person on the child's record a report was asked of

An agency professional sees only their own report. "Own" was the report whose author's name
was the name of a person linked to their account, so a parent or another professional with
the same name as the officer made the officer the author of their report too. The report
now names its person. The rows already there get the one person their author's name can
mean: for an agency report, the professional of that name invited to its conference; for a
parent's or child's report, the family member of that name. Where the name fits more than
one, the row is left without a person, and no professional sees it as their own.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

FK = "fk_reports_person_id_case_people"
INDEX = "ix_reports_person_id"

INVITED_PROFESSIONAL = """
    FROM case_people JOIN invitations ON invitations.person_id = case_people.id
    WHERE invitations.conference_id = reports.conference_id
      AND case_people.kind = 'professional' AND case_people.name = reports.author
"""
FAMILY_MEMBER = """
    FROM case_people JOIN conferences ON conferences.child_id = case_people.child_id
    WHERE conferences.id = reports.conference_id
      AND case_people.kind = 'family' AND case_people.name = reports.author
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place, as in 0013: batch mode would copy the table that report files refer to.
        op.execute(
            f"ALTER TABLE reports ADD COLUMN person_id INTEGER "
            f"CONSTRAINT {FK} REFERENCES case_people (id)"
        )
    else:
        op.add_column("reports", sa.Column("person_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(FK), "reports", "case_people", ["person_id"], ["id"])
    op.create_index(op.f(INDEX), "reports", ["person_id"], unique=False)
    for kinds, source in (("'agency'", INVITED_PROFESSIONAL), ("'parent', 'child'", FAMILY_MEMBER)):
        op.execute(
            f"UPDATE reports SET person_id = (SELECT min(case_people.id) {source}) "
            f"WHERE reports.kind IN ({kinds}) "
            f"AND (SELECT count(DISTINCT case_people.id) {source}) = 1"
        )


def downgrade() -> None:
    op.drop_index(op.f(INDEX), table_name="reports")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f(FK), "reports", type_="foreignkey")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("person_id")
