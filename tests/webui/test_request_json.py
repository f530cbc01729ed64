"""The depth limit on request JSON counts real nesting only, and quickly."""

import time

import pytest
from flask import request

from webui.request_json import MAX_DEPTH, too_deep


@pytest.mark.parametrize(
    "text, deep",
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ('{"a": [' + "{}, " * 1000 + "{}]}", False),  # many brackets, little depth
        ('["' + "[" * 100 + '"]', False),  # brackets inside a string
        ('["\\"' + "[" * 100 + '"]', False),  # after an escaped quote, still in the string
        ('["\\\\"' + ", [" * 40 + "]" * 40 + "]", True),  # an escaped backslash ends it
    ],
)
def test_depth_counts_nesting_outside_strings(text, deep):
    assert too_deep(text) is deep


def test_two_megabytes_of_brackets_are_checked_in_well_under_a_second():
    started = time.perf_counter()
    assert too_deep("[" * 2**20 + "]" * 2**20)
    assert not too_deep('["' + "[" * 2**21 + '"]')
    assert time.perf_counter() - started < 1


def test_the_app_reads_json_at_the_limit_and_refuses_it_beyond(app):
    with app.test_request_context(json=[[[]]]):
        assert request.get_json() == [[[]]]
    deeper = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with app.test_request_context(data=deeper, content_type="application/json"):
        assert request.get_json(silent=True) is None
