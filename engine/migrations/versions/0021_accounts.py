"""accounts: server-side sessions, the sign-in throttle, temporary passwords, token expiry

Signing out only cleared the browser's cookie, so a copied cookie kept working: sessions are
now `user_sessions` rows the cookie's secret points to, ended on the server. The lockout
(`users.failed_sign_ins`, `users.locked_until`) let anyone keep a named person out and told
which usernames exist: it gives way to `sign_in_failures`, counted per client. A user may be
made to change a temporary password at the next sign-in, and the last sign-in is shown to
administrators. API tokens may expire.

Revision ID: 0021_accounts
Revises: 0020_withholding
Create Date: 2026-12-05 19:00:00
"""

import sqlalchemy as sa
from alembic import op

import engine.models.base

revision = "0021_accounts"
down_revision = "0020_withholding"
branch_labels = None
depends_on = None

WHEN = engine.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("ended_at", WHEN, nullable=True),
        sa.Column("ended_why", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("digest", name=op.f("uq_user_sessions_digest")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(op.f("ix_sign_in_failures_client_at"), "sign_in_failures", ["client", "at"])
    op.create_index(op.f("ix_sign_in_failures_username_at"), "sign_in_failures", ["username", "at"])
    op.add_column(
        "users",
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("users", sa.Column("last_signed_in_at", WHEN, nullable=True))
    for column in ("failed_sign_ins", "locked_until"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE users DROP COLUMN {column}")  # in place, no table copy
        else:
            op.drop_column("users", column)
    op.add_column("api_tokens", sa.Column("expires_at", WHEN, nullable=True))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in (
        ("api_tokens", "expires_at"),
        ("users", "last_signed_in_at"),
        ("users", "must_change_password"),
    ):
        if sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
    op.add_column(
        "users", sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("users", sa.Column("locked_until", WHEN, nullable=True))
    op.drop_index(op.f("ix_sign_in_failures_username_at"), table_name="sign_in_failures")
    op.drop_index(op.f("ix_sign_in_failures_client_at"), table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
