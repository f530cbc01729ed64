"""Only plain digits are a number: no digit characters `int` refuses, no runaway lengths."""

import pytest

from engine.platform import whole_numbers


@pytest.mark.parametrize(("text", "number"), [("0", 0), ("42", 42), ("2027", 2027)])
def test_plain_digits_are_their_number(text, number):
    assert whole_numbers.parse(text) == number


@pytest.mark.parametrize(
    "text", [None, "", " 4", "-4", "4.0", "²", "٢٠٢٧", "1" * 19, "9" * 5000, "12a"]
)
def test_anything_else_is_not_a_number(text):
    assert whole_numbers.parse(text) is None
