"""s47_enquiries: every section 47 enquiry, whether or not a conference followed

The census returns each enquiry with its ICPC target and, when none was needed, says so;
an enquiry that found no conference needed left no row anywhere. Enquiries recorded before
this revision are made from their conferences: the target as the diagram computed it then,
15 working days from the strategy discussion.

Revision ID: 0024_s47_enquiries
Revises: 0023_conference_record
Create Date: 2026-12-05 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_s47_enquiries"
down_revision = "0023_conference_record"
branch_labels = None
depends_on = None

TABLE = "s47_enquiries"
TARGET_WORKING_DAYS = 15  # the diagram's figure when these enquiries were recorded


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("strategy_discussion_date", sa.Date(), nullable=False),
        sa.Column("s47_start_date", sa.Date(), nullable=False),
        sa.Column("icpc_target_date", sa.Date(), nullable=True),
        sa.Column("conference_needed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_s47_enquiries_child_id_children")
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instances.id"],
            name=op.f("fk_s47_enquiries_instance_id_process_instances"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_s47_enquiries")),
    )
    for column in ("child_id", "instance_id", "s47_start_date"):
        op.create_index(op.f(f"ix_s47_enquiries_{column}"), TABLE, [column], unique=False)
    _from_conferences()


def _from_conferences() -> None:
    from engine.platform.workdays import add_working_days

    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT child_id, instance_id, strategy_discussion_date, s47_start_date, created_at "
            "FROM conferences WHERE kind IN ('icpc', 'pre_birth') "
            "AND strategy_discussion_date IS NOT NULL AND s47_start_date IS NOT NULL"
        )
    ).all()
    table = sa.table(
        TABLE,
        *(
            sa.column(name)
            for name in (
                "child_id",
                "instance_id",
                "strategy_discussion_date",
                "s47_start_date",
                "icpc_target_date",
                "conference_needed",
                "created_at",
            )
        ),
    )
    values = [
        {
            "child_id": child_id,
            "instance_id": instance_id,
            "strategy_discussion_date": sd,
            "s47_start_date": s47,
            "icpc_target_date": add_working_days(sd, TARGET_WORKING_DAYS),
            "conference_needed": True,
            "created_at": created,
        }
        for child_id, instance_id, sd, s47, created in rows
    ]
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    for column in ("s47_start_date", "instance_id", "child_id"):
        op.drop_index(op.f(f"ix_s47_enquiries_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
