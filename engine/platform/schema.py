"""Create and migrate the database schema with Alembic (`cpc init-db`, `cpc db upgrade`).

Alembic (and the template and highlighting libraries it brings) is imported when a function
here is first called, not when a web worker starts: most workers never migrate anything, and
the readiness check's first call pays for it once.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return revision_of(connection)


def revision_of(connection) -> str | None:
    """The revision the database on this connection is at (None before the first)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


@functools.cache
def head_revision() -> str | None:
    """The newest revision this release ships (read from the scripts once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer tool: write a new revision from the difference between models and database."""
    from alembic import command

    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
