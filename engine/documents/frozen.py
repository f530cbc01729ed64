"""A sent document's data, frozen: what a step records instead of rendering in the request.

A step that sends a document keeps its data (the dictionary `document_data` gathers) as
JSON on the document's record, with a fingerprint of that data, in the step's transaction.
The PDF or Word file is rendered later, when someone downloads or prints a copy, from the
frozen data, so the copy shows exactly what was sent however the case has changed since.
Each reader's copy is still redacted for them (`document_redaction`) from the frozen data.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AS_IT_IS = frozenset({str, int, bool, float, type(None)})


def freeze(value):
    """The data as JSON can hold it: dates as ISO text, everything else as it is."""
    if type(value) in _AS_IT_IS:  # most of a document: asked first, and exactly
        return value
    if isinstance(value, dict):
        return {key: freeze(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [freeze(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def thaw(value):
    """The frozen data as the templates read it: ISO dates back to dates."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    if isinstance(value, str) and ISO_DATE.match(value):
        return date.fromisoformat(value)
    return value


def fingerprint(data: dict) -> str:
    """SHA-256 of the frozen data in one canonical form (sorted keys, no spaces).

    The same text as `json.dumps(freeze(data), ...)`, but the encoder turns each date into
    ISO text as it meets it, so already frozen data (a step fingerprints the data and every
    recipient's copy) is not walked again in Python first."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_iso)
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(value) -> str:
    """A date or datetime for the encoder, as `freeze` writes it; anything else JSON cannot
    hold is an error, as it was."""
    if isinstance(value, date):  # a datetime is a date too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
