"""invitations.attendance: how each invitee took part in the conference

`invitations.attended` was never set, so the minutes could only list who was invited and the
quorum was a box the chair ticked. The chair now records for each invitee whether they
attended, sent apologies or did not attend (and for the parents and the child, whether they
took part through an advocate or sent their views); the quorum is counted from it. Old rows
have none.

Revision ID: 0018_attendance
Revises: 0017
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_attendance"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invitations", sa.Column("attendance", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("attendance")
