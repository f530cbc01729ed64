"""The forms a child fills in read at a reading age of about 9 to 11 (issue: pages for
families). Every label, hint and answer a child sees is measured, form by form."""

from __future__ import annotations

import json

import pytest

from forms.definitions import path_for
from tests.reading_age import CHILD_GRADE, grade

CHILDRENS_FORMS = ("family/child_views", "feedback/child")


def _words(value) -> list[str]:
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if key in ("title", "caption", "description", "label", "hint", "text"):
                found += [item] if isinstance(item, str) else _words(item)
            elif key not in ("name", "type", "value", "column", "required", "max_length"):
                found += _words(item)
        return found
    if isinstance(value, list):
        return [w for item in value for w in _words(item)]
    return []


@pytest.mark.parametrize("key", CHILDRENS_FORMS)
def test_a_childs_form_reads_at_a_childs_reading_age(key):
    text = ".\n".join(_words(json.loads(path_for(key).read_text())))
    assert text.count(".") >= 3, "nothing read from the form"
    assert grade(text) <= CHILD_GRADE, text


def test_the_measure_tells_a_grown_ups_sentence_from_a_childs():
    adult = (
        "The conference will consider the multi-agency assessment and determine whether "
        "the threshold for a child protection plan is satisfied."
    )
    assert grade("Is anything worrying you? What would you like to happen?") <= CHILD_GRADE
    assert grade(adult) > 12
