"""Council settings: the figures councils set differently, read by the diagrams.

A release ships them in `processes/settings.json`, beside the diagrams that read them with
`setting("name")`, so a timescale is never typed into Python; `CPC_PROCESSES_DIR` moves the
file with the diagrams (see `engine.platform.folders`). An administrator's saved version
(`engine.models.council_settings`) is laid over the file once adopted (`adopt`): that is
the council's one home for its name, phone and complaints route. Tests can lay overrides
over both for the duration of a block (`using`).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from engine.platform import folders

_overrides: contextvars.ContextVar[dict | None] = contextvars.ContextVar("settings", default=None)
_stored: dict = {"version": None, "values": {}}  # the effective saved version, if any


class UnknownSetting(KeyError):
    def __str__(self) -> str:
        return f"there is no council setting “{self.args[0]}”"


def settings_file() -> Path:
    """processes/settings.json: in the folder CPC_PROCESSES_DIR names, or the default one."""
    return folders.processes() / "settings.json"


@lru_cache(maxsize=1)
def defaults() -> dict:
    values = json.loads(settings_file().read_text(encoding="utf-8"))
    return {k: v for k, v in values.items() if not k.startswith("_")}


def adopt(version: int | None, values: dict) -> None:
    """Use this saved version (None and {}: the file's values alone)."""
    known = defaults()
    _stored.update(version=version, values={k: v for k, v in values.items() if k in known})


def stored_version() -> int | None:
    return _stored["version"]


def get(name: str):
    overrides = _overrides.get() or {}
    if name in overrides:
        return overrides[name]
    if name in _stored["values"]:
        return _stored["values"][name]
    try:
        return defaults()[name]
    except KeyError:
        raise UnknownSetting(name) from None


def current() -> dict:
    return {**defaults(), **_stored["values"], **(_overrides.get() or {})}


@contextlib.contextmanager
def using(**overrides) -> Iterator[None]:
    unknown = set(overrides) - set(defaults())
    if unknown:
        raise UnknownSetting(sorted(unknown)[0])
    token = _overrides.set({**(_overrides.get() or {}), **overrides})
    try:
        yield
    finally:
        _overrides.reset(token)
