"""The conference record: who came, and why a date was booked off the calendar

`invitations.attendance`: `invitations.attended` was never set, so the minutes could only list
who was invited and the quorum was a box the chair ticked. The chair now records for each
invitee whether they attended, sent apologies or did not attend (and for the parents and the
child, whether they took part through an advocate or sent their views); the quorum is counted
from it. Old rows have none.

`conferences.booking_reason`: a conference booked on a non-working day or after its due date
was accepted without a word; the booker now says why, and it is the late reason's first draft.

`conferences.decision_reasons`, `conferences.plan_outcomes`, `invitations.core_group`: the
decision had no recorded reasons, the plan no aims, and the core group was not named.

`plan_actions.progress`: each core group and review records how an action stands.

Revision ID: 0023_conference_record
Revises: 0022_links_late_steps
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023_conference_record"
down_revision = "0022_links_late_steps"
branch_labels = None
depends_on = None
COLUMNS = ("booking_reason", "decision_reasons", "plan_outcomes")


def upgrade() -> None:
    op.add_column("invitations", sa.Column("attendance", sa.String(length=20), nullable=True))
    op.add_column("invitations", sa.Column("core_group", sa.Boolean(), nullable=True))
    for column in COLUMNS:
        op.add_column("conferences", sa.Column(column, sa.Text(), nullable=True))
    op.add_column("plan_actions", sa.Column("progress", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_column("progress")
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("core_group")
        batch_op.drop_column("attendance")
