"""index conferences.chair_id and case_people.user_id for case access

Case access asks "which children does this person chair, or is invited about?" on every list
page, dashboard and case page; without these indexes each is a scan of every conference and
every case person.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 13:30:00
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conferences_chair_id"), ["chair_id"], unique=False)
    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_people_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_people_user_id"))
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conferences_chair_id"))
