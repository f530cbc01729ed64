"""Form versions: each deployed form is kept for ever, and each diagram version pins its own.

A form key (`plan/core_group_meeting`) has numbered versions, immutable once deployed, and at
most one draft a process owner is working on. A diagram version, when deployed, records which
version of each form its user tasks use (`DiagramFormPin`), so a running case keeps the forms
its diagram version was deployed with whatever later happens to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, and_, bindparam, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime, columns, utcnow
from engine.models.processes import ProcessVersion


class FormVersion(Base):
    __tablename__ = "form_versions"
    __table_args__ = (Index(None, "form_key", "number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    definition: Mapped[str] = mapped_column(Text)  # the JSON, exactly the format of forms/*.json
    content_hash: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(80))


class FormDraft(Base):
    """One shared draft per form key: what a process owner saved but has not deployed yet."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_key: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_by: Mapped[str] = mapped_column(String(80))


class DiagramFormPin(Base):
    """The form version a diagram version's tasks with this form key show."""

    __tablename__ = "diagram_form_pins"

    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), primary_key=True)
    form_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_versions.id"), index=True)


def latest_form(session: Session, key: str) -> FormVersion | None:
    query = select(FormVersion).where(FormVersion.form_key == key)
    return session.scalar(query.order_by(FormVersion.number.desc()).limit(1))


def newest_form(session: Session, key: str) -> tuple[int, str] | None:
    """(id, content hash) of a form's newest deployed version, None when it has none: what
    a task of a version that pins no form for the key shows, asked on every completion of
    one, so read as two columns on the session's connection (no row object to build; a
    session made to autoflush is flushed first, as the ORM would: `columns`)."""
    row = columns(session, _NEWEST, {"key": key}).first()
    return None if row is None else (row.id, row.content_hash)


# Built once, as `engine.models.tokens._BY_DIGEST`.
_NEWEST = (
    select(FormVersion.id, FormVersion.content_hash)
    .where(FormVersion.form_key == bindparam("key"))
    .order_by(FormVersion.number.desc())
    .limit(1)
)


def form_versions_of(session: Session, key: str) -> list[FormVersion]:
    """Every deployed version of a form, newest first."""
    query = select(FormVersion).where(FormVersion.form_key == key)
    return list(session.scalars(query.order_by(FormVersion.number.desc())))


def form_draft(session: Session, key: str) -> FormDraft | None:
    return session.scalar(select(FormDraft).where(FormDraft.form_key == key))


def form_keys(session: Session) -> dict[str, dict]:
    """Every form key in the database with its newest deployed number and whether a draft waits."""
    found: dict[str, dict] = {}
    newest = select(FormVersion.form_key, func.max(FormVersion.number)).group_by(
        FormVersion.form_key
    )
    for key, number in session.execute(newest):
        found[key] = {"deployed": number, "draft": False}
    for key in session.scalars(select(FormDraft.form_key)):
        found.setdefault(key, {"deployed": None, "draft": False})["draft"] = True
    return dict(sorted(found.items()))


def pins_of(session: Session, version_id: int) -> dict[str, int]:
    """form key → form version id for one diagram version."""
    query = select(DiagramFormPin.form_key, DiagramFormPin.form_version_id).where(
        DiagramFormPin.version_id == version_id
    )
    return dict(session.execute(query).all())


def version_pin(session: Session, version_id: int, key: str) -> tuple[bool, FormVersion | None]:
    """(whether the diagram version exists, the form version it pins for `key` or None), in
    one statement: a version that exists and pins nothing for a key never will (its pins are
    written with it), so the caller may remember the absence; of a version not there, not."""
    row = session.execute(_VERSION_PIN, {"version_id": version_id, "key": key}).first()
    return (False, None) if row is None else (True, row.FormVersion)


# Built once (every completion of a task of a version without pins asks): the statement
# keeps its cache key, so a request reuses it instead of building it afresh.
_VERSION_PIN = (
    select(ProcessVersion.id, FormVersion)
    .select_from(ProcessVersion)
    .outerjoin(
        DiagramFormPin,
        and_(
            DiagramFormPin.version_id == ProcessVersion.id,
            DiagramFormPin.form_key == bindparam("key"),
        ),
    )
    .outerjoin(FormVersion, FormVersion.id == DiagramFormPin.form_version_id)
    .where(ProcessVersion.id == bindparam("version_id"))
)


def versions_pinning(session: Session, key: str) -> list[tuple[ProcessVersion, int]]:
    """(diagram version, form version number) for every diagram version using the form."""
    query = (
        select(ProcessVersion, FormVersion.number)
        .join(DiagramFormPin, DiagramFormPin.version_id == ProcessVersion.id)
        .join(FormVersion, DiagramFormPin.form_version_id == FormVersion.id)
        .where(DiagramFormPin.form_key == key)
        .order_by(ProcessVersion.process_id, ProcessVersion.number)
    )
    return [(version, number) for version, number in session.execute(query)]
