"""Finding withheld text in what a reader reads, however it is written there.

A report or a plan may quote an address, a phone number or a passage that is withheld from
its reader, in capitals, over several lines, with other punctuation or the digits spaced
another way. `redact` takes each withheld value out of a text, `redact_all` out of every
string in a workflow's data. What is withheld from whom is `withholding`'s.
"""

from __future__ import annotations

import re

WITHHELD = "Withheld"
MIN_SCRUB_LENGTH = 6  # shorter values are too common to scrub from a page safely


def redact(text: str | None, values: list[str]) -> str | None:
    """The text with each withheld value replaced, whatever its case and however its lines
    and spaces are broken (a report may quote an address on one line, or in capitals)."""
    if not text:
        return text
    for value in values:
        text = _pattern(value).sub(WITHHELD, text)
    return text


def redact_all(value, values: list[str]):
    """`redact` on every string in a value made of lists, tuples and dictionaries (a
    workflow's data); numbers, dates and the rest stay as they are."""
    if not values:
        return value
    if isinstance(value, str):
        return redact(value, values)
    if isinstance(value, dict):
        return {key: redact_all(item, values) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_all(item, values) for item in value)
    return value


# A phone number as people write it: digits and the marks between them, at least six digits.
_PHONE = re.compile(r"^\+?[\d\s().-]+$")
_BETWEEN_DIGITS = r"[\s().-]*"


def _pattern(value: str) -> re.Pattern:
    digits = re.sub(r"\D", "", value)
    if _PHONE.match(value) and len(digits) >= MIN_SCRUB_LENGTH:
        return _phone_pattern(value, digits)
    return _words_pattern(value)


# Between two words of withheld text: any spaces, line breaks and punctuation, or none.
_BETWEEN_WORDS = r"[\W_]*"


def _words_pattern(value: str) -> re.Pattern:
    """Withheld words however they are cased, broken across lines and punctuated: an address
    is written "Flat 2, Refuge House", "Flat 2 Refuge House" and "FLAT 2 - REFUGE HOUSE"."""
    words = re.findall(r"[^\W_]+", value)
    if not words:  # nothing but marks: matched as written
        return re.compile(re.escape(value))
    return re.compile(_BETWEEN_WORDS.join(re.escape(w) for w in words), re.IGNORECASE)


def _phone_pattern(value: str, digits: str) -> re.Pattern:
    """A withheld phone number however its digits are spaced or marked ("07700 900456",
    "07700900456", "07700-900-456", "(07700) 900456"), and a UK number written from +44."""
    rest = _BETWEEN_DIGITS.join(digits[1:])
    if digits.startswith("0") and not value.lstrip().startswith("+"):
        first = r"(?:0|\+\s*44" + _BETWEEN_DIGITS + r"(?:\(0\)" + _BETWEEN_DIGITS + r")?)"
    else:
        first = re.escape(digits[0])
    return re.compile(r"(?<!\d)" + first + _BETWEEN_DIGITS + rest + r"(?!\d)")
