"""Whole numbers as people type them or addresses carry them: plain digits, or nothing.

`str.isdigit` also says yes to "²" and other digit characters that `int` refuses, and `int`
refuses more than a few thousand digits: checked with `isdigit` alone, either reached `int`
as a server error. Here anything but 0-9 (at most 18 of them) is simply not a number.
"""

from __future__ import annotations

MAX_DIGITS = 18  # fits a 64-bit integer; no count, id, page or year here is longer


def parse(text: str | None) -> int | None:
    """The number `text` spells in plain digits (no sign, no spaces), else None."""
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return None
    return int(text)
