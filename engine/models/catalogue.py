"""The process catalogue: how each process may start, and whether it is retired.

A shipped process has no row until someone retires it: how it starts is written in the code
that starts it (the case page's conference and plan ending, the diagrams that start reviews
and core groups). A process made in the browser always has one, saying whether it starts for a
child from the child's page, from another diagram's `start_process`, or both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

from engine.models.base import Base, UTCDateTime, utcnow


class CatalogueEntry(Base):
    __tablename__ = "process_catalogue"

    process_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    from_child_page: Mapped[bool] = mapped_column(Boolean, default=False)
    from_diagrams: Mapped[bool] = mapped_column(Boolean, default=False)
    # How it was made, in words: "a blank start and end", "a copy of core_group", "the file x".
    # A copy starts with the data its original starts with (the name checks read it).
    copied_from: Mapped[str | None] = mapped_column(String(64))
    made_from: Mapped[str] = mapped_column(String(200), default="", server_default="")
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    made_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired_by: Mapped[str | None] = mapped_column(String(80))
    retired_why: Mapped[str | None] = mapped_column(Text)

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


def entry(session: Session, process_id: str) -> CatalogueEntry | None:
    return session.get(CatalogueEntry, process_id)


def starts_like(session: Session, process_id: str) -> str | None:
    """The process whose start data this one's copy expects, if it is a copy."""
    found = entry(session, process_id)
    return found.copied_from if found is not None else None


def entries(session: Session) -> dict[str, CatalogueEntry]:
    return {e.process_id: e for e in session.scalars(select(CatalogueEntry))}


def is_retired(session: Session, process_id: str) -> bool:
    """Whether the process is retired: every start asks. An entry this session holds answers
    (with its changes not yet flushed, as `entry` would); else one column is read, without
    loading an entry (a shipped process has none, so `entry` could never find it held)."""
    held = session.identity_map.get(identity_key(CatalogueEntry, process_id))
    if held is not None:
        return held.retired
    return session.execute(_RETIRED, {"process_id": process_id}).first() is not None


# Built once: the process's entry, if it has one and it is retired.
_RETIRED = select(CatalogueEntry.__table__.c.process_id).where(
    CatalogueEntry.__table__.c.process_id == bindparam("process_id"),
    CatalogueEntry.__table__.c.retired_at.is_not(None),
)


def child_page_processes(session: Session) -> list[str]:
    """Made-in-the-browser processes a person may start from a child's page, not retired."""
    query = select(CatalogueEntry.process_id).where(
        CatalogueEntry.from_child_page.is_(True), CatalogueEntry.retired_at.is_(None)
    )
    return list(session.scalars(query.order_by(CatalogueEntry.process_id)))
