"""The password policy, as the NCSC advises: long enough, not a known one, nothing else.

No rules about capitals, digits or symbols (they make people choose worse passwords), no
expiry; a minimum length and a refusal of the passwords most often found in breaches, read from
a list shipped with the product (`data/common-passwords.txt.gz`), never looked up online.
The username and the person's own name are refused too, as the first things an attacker tries.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from engine.platform.errors import EngineError

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 200  # Argon2 takes any length; this only stops a form being used to flood it
COMMON = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


class WeakPassword(EngineError):
    pass


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def problem(password: str, *personal: str) -> str | None:
    """Why this password may not be used, or None. `personal`: the username, the name."""
    if len(password) < MINIMUM_LENGTH:
        return (
            f"Enter a password of at least {MINIMUM_LENGTH} characters: three random words "
            "make a good one"
        )
    if len(password) > MAXIMUM_LENGTH:
        return f"Enter a password of at most {MAXIMUM_LENGTH} characters"
    folded = password.strip().lower()
    if folded in _common() or "".join(folded.split()) in _common():
        return "That password is one of the most common: choose another"
    if any(p and folded == p.strip().lower() for p in personal):
        return "Do not use your username or your name as a password"
    return None


def require_good(password: str, *personal: str) -> None:
    """Raise WeakPassword with the reason, fit to show, unless the password may be used."""
    reason = problem(password, *personal)
    if reason is not None:
        raise WeakPassword(reason)
