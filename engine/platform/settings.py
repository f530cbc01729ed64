"""Council settings: the figures councils set differently, read by the diagrams.

They live in `processes/settings.json`, beside the diagrams that read them with
`setting("name")`, so a timescale is never typed into Python; `CPC_PROCESSES_DIR` moves the
file with the diagrams (see `engine.platform.folders`). Tests and councils can lay
overrides over the file for the duration of a block (`using`).
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


def get(name: str):
    overrides = _overrides.get() or {}
    if name in overrides:
        return overrides[name]
    try:
        return defaults()[name]
    except KeyError:
        raise UnknownSetting(name) from None


def current() -> dict:
    return {**defaults(), **(_overrides.get() or {})}


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
