"""Leases: let one worker of many take rows to work on, each row by exactly one worker.

A leased table has `lease_owner` and `lease_until` columns. A worker takes due rows in one
statement: on PostgreSQL the candidate rows are locked with `FOR UPDATE SKIP LOCKED`, so two
workers never pick the same row; elsewhere (SQLite) the UPDATE re-checks that nobody holds a
live lease, and the database's single writer makes that atomic. A worker that dies holding a
lease lets it expire, and the next claim takes the row over.

The timer sweep leases process instances with this, the mail sender outbox messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, or_, select, update
from sqlalchemy.orm import Session


def free(table: Table, now: datetime) -> ColumnElement[bool]:
    """Nobody holds the row, or their lease has run out."""
    return or_(table.c.lease_until.is_(None), table.c.lease_until < now)


def claim(
    session: Session,
    table: Table,
    *,
    due: Sequence[ColumnElement[bool]],
    order_by: Sequence,
    owner: str,
    now: datetime,
    lease_seconds: int,
    limit: int,
) -> list:
    """Lease up to `limit` free rows meeting `due`, first by `order_by`; their ids, in order.

    Runs in the caller's transaction, which the caller commits: the lease holds from then.
    """
    candidates = select(table.c.id).where(*due, free(table, now)).order_by(*order_by).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()), free(table, now))
        .values(lease_owner=owner, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(table.c.id, *order_by)
    )
    rows = session.execute(statement).all()  # RETURNING promises no order: sort here
    return [row[0] for row in sorted(rows, key=lambda row: tuple(row[1:]))]


def let_go(session: Session, table: Table, ids: Sequence, owner: str) -> None:
    """Drop our leases on these rows without working on them, so the next claim may take them."""
    session.execute(
        update(table)
        .where(table.c.id.in_(ids), table.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
