"""`withheld_text.redact` finds withheld text however it is written in the text read."""

from __future__ import annotations

import pytest

from engine.access.withheld_text import WITHHELD, redact

PHONE = "07700 900456"


@pytest.mark.parametrize(
    "written",
    [
        "07700 900456",
        "07700900456",
        "07700-900-456",
        "07700 900 456",
        "(07700) 900456",
        "+44 7700 900456",
        "+44 (0)7700 900456",
    ],
)
def test_a_withheld_phone_number_is_found_however_its_digits_are_spaced(written):
    text = f"Her new number is {written}, text only."
    redacted = redact(text, [PHONE])
    assert WITHHELD in redacted and redacted.endswith(", text only.")
    assert "900" not in redacted and "7700" not in redacted


def test_other_numbers_with_the_same_digits_in_them_are_left_alone():
    for other in ("077009004567", "1 07700 900456", "Case 207700900456"):
        assert redact(other, [PHONE]) in (other, f"1 {WITHHELD}")
    assert redact("07700 900457", [PHONE]) == "07700 900457"


def test_words_are_found_whatever_their_case_and_line_breaks():
    address = "Flat 2, Refuge House"
    assert redact("at FLAT 2,\n  refuge house now", [address]) == f"at {WITHHELD} now"


@pytest.mark.parametrize(
    "written",
    [
        "Flat 2 Refuge House, 8 Quiet Lane Northtown",
        "Flat 2. Refuge House - 8 Quiet Lane, Northtown",
        "FLAT 2 REFUGE HOUSE 8 QUIET LANE NORTHTOWN",
        "Flat 2,Refuge House,8 Quiet Lane,Northtown",
        "flat 2 / refuge house / 8 quiet lane / northtown",
    ],
)
def test_an_address_is_found_however_it_is_punctuated(written):
    address = "Flat 2, Refuge House, 8 Quiet Lane, Northtown"
    assert (
        redact(f"She moved to {written} in May.", [address]) == f"She moved to {WITHHELD} in May."
    )


def test_words_that_only_share_a_start_with_the_withheld_text_are_left_alone():
    address = "Flat 2, Refuge House"
    assert redact("Flat 23, Refuge House", [address]) == "Flat 23, Refuge House"
    assert redact("Flat 2A Refuge House", [address]) == "Flat 2A Refuge House"
    assert redact("Refuge House is full", [address]) == "Refuge House is full"
