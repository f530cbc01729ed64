"""The demo data, played once per test run and copied into each test that reads it.

Playing the demo's stories through the real diagrams takes seconds of CPU, and forty tests
start from it. The first of them in a run plays it (`deploy_processes` and `demo.load`, as
`make run` does); its rows are then kept and written back, table by table, for the next, so
each test still starts from the whole demo and may change it as it likes.
"""

from __future__ import annotations

from sqlalchemy import Integer, func, select, text, update
from sqlalchemy.orm import Session

from engine.models import Base, SettingsVersion
from engine.platform import settings
from engine.service import Engine
from tests.conftest import empty_tables
from tests.factories import deploy_processes
from webui import demo

_played: dict[str, dict[str, list[dict]]] = {}  # rows by table, by database


def load(session: Session, engine: Engine) -> None:
    """The demo in the test's database: played the first time, copied after that."""
    bind = session.get_bind()
    key = bind.url.render_as_string(hide_password=False)
    if key not in _played:
        deploy_processes(session)
        demo.load(session, engine)
        _played[key] = _rows(session)
        return
    session.close()
    _write(bind.engine if hasattr(bind, "engine") else bind, _played[key])
    newest = session.scalars(select(SettingsVersion).order_by(SettingsVersion.id.desc())).first()
    settings.adopt(newest.id, newest.values) if newest else settings.adopt(None, {})
    session.commit()


def _rows(session: Session) -> dict[str, list[dict]]:
    session.commit()
    rows = {}
    for table in Base.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        rows[table.name] = [dict(row) for row in session.execute(query).mappings()]
    session.commit()
    return rows


def _write(db_engine, played: dict[str, list[dict]]) -> None:
    """Every table emptied, then its rows inserted in dependency order. A column pointing
    into its own table (a document covered by a later one) is filled in once all are in."""
    empty_tables(db_engine)
    with db_engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            rows = played[table.name]
            if not rows:
                continue
            own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            connection.execute(table.insert(), [{**r, **dict.fromkeys(own)} for r in rows])
            (key,) = table.primary_key.columns if len(table.primary_key.columns) == 1 else (None,)
            for name in own:
                for row in rows:
                    if row[name] is not None:
                        connection.execute(
                            update(table).where(key == row[key.name]).values({name: row[name]})
                        )
            counted = key is not None and isinstance(key.type, Integer)
            if connection.dialect.name == "postgresql" and counted:
                top = connection.scalar(select(func.max(key)))
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, :column), :top)"),
                    {"table": table.name, "column": key.name, "top": top},
                )
