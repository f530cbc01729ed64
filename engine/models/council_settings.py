"""The council's settings as administrators saved them: every version, newest effective.

`processes/settings.json` holds the settings a release ships with (a fresh install's
values, and where a new setting first appears); each version saved here holds every value,
who saved it, when and why. The effective settings are the file's with the newest version
laid over them, adopted by `engine.platform.settings` for the engine to read; `refresh`
re-reads them when another worker saved a newer version.
"""

from __future__ import annotations

import json
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


def refresh(session: Session) -> None:
    """Adopt the newest saved version if it is not the one in use (one indexed read)."""
    newest_id = session.scalar(
        select(SettingsVersion.id).order_by(SettingsVersion.id.desc()).limit(1)
    )
    if newest_id == settings.stored_version():
        return
    version = session.get(SettingsVersion, newest_id) if newest_id else None
    settings.adopt(newest_id, version.values if version else {})


def save(session: Session, values: dict, reason: str, who: str, at: datetime) -> SettingsVersion:
    version = SettingsVersion(
        settings=json.dumps(values, sort_keys=True), reason=reason, changed_by=who, changed_at=at
    )
    session.add(version)
    session.flush()
    return version
