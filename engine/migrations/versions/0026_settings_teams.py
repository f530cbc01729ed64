"""settings_teams: council settings versioned in the database, teams and their managers

Council settings could only be changed by editing `processes/settings.json` and
redeploying: `council_settings` keeps each version an administrator saves (all the values,
who, when and why); the newest is the effective one, laid over the file, so a setting a
later release adds to the file still has its value. Teams were only a name typed on each
account and a team manager managed the one team named on theirs: `teams` lists them,
`team_managers` says who manages which (several, for a manager of more than one). Teams and
managers are made from the accounts as they are. An index on conferences (kind, held_on)
lets the census find the year's reviews without reading every conference of its children.

Revision ID: 0026_settings_teams
Revises: 0025_form_versions
Create Date: 2026-12-05 22:30:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0026_settings_teams"
down_revision = "0025_form_versions"
branch_labels = None
depends_on = None

WHEN = engine.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "council_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_settings")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "team_managers",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_managers_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_team_managers_user_id_users")
        ),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_managers")),
    )
    op.create_index(op.f("ix_team_managers_user_id"), "team_managers", ["user_id"])
    op.create_index("ix_conferences_kind_held_on", "conferences", ["kind", "held_on"])
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO teams (name, created_at) SELECT DISTINCT team, CURRENT_TIMESTAMP "
            "FROM users WHERE team IS NOT NULL"
        )
    )
    bind.execute(
        sa.text(
            "INSERT INTO team_managers (team_id, user_id) SELECT teams.id, users.id FROM users "
            "JOIN teams ON teams.name = users.team JOIN user_roles "
            "ON user_roles.user_id = users.id AND user_roles.role = 'team_manager'"
        )
    )


def downgrade() -> None:
    op.drop_index("ix_conferences_kind_held_on", table_name="conferences")
    op.drop_index(op.f("ix_team_managers_user_id"), table_name="team_managers")
    op.drop_table("team_managers")
    op.drop_table("teams")
    op.drop_table("council_settings")
