"""process_instances.state compressed with lz4 on PostgreSQL

Every step writes the instance's whole state. Once a case has some history it is tens of
kilobytes, which PostgreSQL compresses before storing; lz4 compresses it faster than the
default (pglz), for about the same size on disk. Values already stored keep their compression
until rewritten (the next step rewrites them). A server built without lz4 keeps pglz: slower to
write, read the same. SQLite stores text as is.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 23:40:00
"""

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return  # column compression methods came with PostgreSQL 14
    try:
        with bind.begin_nested():
            op.execute(f"ALTER TABLE process_instances ALTER COLUMN state SET COMPRESSION {method}")
    except DBAPIError:
        pass  # built without lz4: the default stays


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("pglz")
