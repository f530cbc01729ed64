"""The council's settings as administrators saved them: every version, newest effective.

`processes/settings.json` holds the settings a release ships with (a fresh install's
values, and where a new setting first appears); each version saved here holds every value,
who saved it, when and why. The effective settings are the file's with the newest version
laid over them, adopted by `engine.platform.settings` for the engine to read; `refresh`
re-reads them when another worker saved a newer version.
"""

from __future__ import annotations

import json
import time
import weakref
from datetime import datetime

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.models.base import Base, UTCDateTime
from engine.platform import settings


class SettingsVersion(Base):
    __tablename__ = "council_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    settings: Mapped[str] = mapped_column(Text)  # JSON: every setting's value
    reason: Mapped[str] = mapped_column(String(500))
    changed_by: Mapped[str] = mapped_column(String(80))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def values(self) -> dict:
        return json.loads(self.settings)


def versions(session: Session, limit: int = 50) -> list[SettingsVersion]:
    """The saved versions, newest (the effective one) first."""
    query = select(SettingsVersion).order_by(SettingsVersion.id.desc()).limit(limit)
    return list(session.scalars(query))


def newest(session: Session) -> SettingsVersion | None:
    return session.scalar(select(SettingsVersion).order_by(SettingsVersion.id.desc()).limit(1))


# How long a worker goes on using the version it last found newest before asking again.
# Every request refreshes, and at a few hundred requests a second the check was a statement
# in every one; asked at most this often it is next to nothing. What a few seconds' delay
# means: a request another worker serves just after an administrator saves runs with the
# previous version, as one that started a moment before the save would. The settings are
# timescales (working days before a conference, how long a link lasts), the escalation
# chain, the council's name and contact details, upload and expression limits: none of
# them grants or withholds access, and a value taken a few seconds late is one that was in
# force a few seconds ago. The administrator's own worker adopts the version it saved at
# once (`engine.access.settings_changes`), so their next page shows it.
RECHECK_SECONDS = 2.0
# Per database (an engine): when its newest version was last read, and which one was in use
# then. A different version in use since (adopted, or reset by a test) means ask again.
_checked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def refresh(session: Session) -> None:
    """Adopt the newest saved version if it is not the one in use (one indexed read, at most
    every RECHECK_SECONDS per database in a process)."""
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    now = time.monotonic()
    checked = _checked.get(engine)
    in_use = settings.stored_version()
    if checked is not None and checked[1] == in_use and now - checked[0] < RECHECK_SECONDS:
        return
    newest_id = session.scalar(_NEWEST_ID)
    if newest_id != in_use:
        version = session.get(SettingsVersion, newest_id) if newest_id else None
        settings.adopt(newest_id, version.values if version else {})
    _checked[engine] = (now, settings.stored_version())


_NEWEST_ID = select(SettingsVersion.id).order_by(SettingsVersion.id.desc()).limit(1)


def save(session: Session, values: dict, reason: str, who: str, at: datetime) -> SettingsVersion:
    version = SettingsVersion(
        settings=json.dumps(values, sort_keys=True), reason=reason, changed_by=who, changed_at=at
    )
    session.add(version)
    session.flush()
    return version
