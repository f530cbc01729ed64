"""The fingerprint of a sent document's data: the same text whether or not it was frozen."""

import hashlib
import json
from datetime import UTC, date, datetime

import pytest

from engine.documents import frozen

DATA = {
    "kind": "invitation",
    "generated_on": date(2026, 12, 4),
    "conference": {"scheduled_on": date(2027, 1, 5), "at": datetime(2026, 12, 4, 9, 30)},
    "invitations": [{"name": "Grace Okoye", "invited_on": date(2026, 12, 4), "attended": None}],
    "pair": (1, "Zoë"),
    "sent": datetime(2026, 12, 4, 9, 30, tzinfo=UTC),
}


def test_a_fingerprint_is_that_of_the_frozen_data_in_canonical_form():
    canonical = json.dumps(
        frozen.freeze(DATA), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    expected = hashlib.sha256(canonical.encode()).hexdigest()
    assert frozen.fingerprint(DATA) == expected
    assert frozen.fingerprint(frozen.freeze(DATA)) == expected


def test_what_json_cannot_hold_is_still_refused():
    with pytest.raises(TypeError):
        frozen.fingerprint({"x": {1, 2}})
