from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from forms.definitions import parse
from forms.validation import validate

TODAY = date(2026, 3, 2)
FORM = parse(
    "test/form",
    {
        "title": "A form",
        "fields": [
            {
                "name": "held_on",
                "type": "date",
                "label": "Date of the conference",
                "required": True,
                "rules": ["not_future"],
            },
            {
                "name": "decision",
                "type": "radios",
                "label": "Decision",
                "required": True,
                "options": [{"value": "cp_plan", "text": "Plan"}, {"value": "nfa", "text": "NFA"}],
            },
            {
                "name": "category",
                "type": "radios",
                "label": "Category",
                "options": [{"value": "NEG", "text": "Neglect"}],
                "required_if": {"decision": "cp_plan"},
            },
            {"name": "quorate", "type": "yes_no", "label": "Was it quorate?", "required": True},
            {
                "name": "agencies",
                "type": "checkboxes",
                "label": "Agencies",
                "options": [{"value": "police", "text": "Police"}, {"value": "gp", "text": "GP"}],
            },
            {"name": "notes", "type": "textarea", "label": "Notes", "max_length": 10},
            {"name": "at", "type": "time", "label": "Time"},
        ],
    },
)


def post(**values):
    form = MultiDict()
    for key, value in values.items():
        key = key.replace("__", "-")
        for item in value if isinstance(value, list) else [value]:
            form.add(key, item)
    return form


GOOD = dict(
    held_on__day="2", held_on__month="3", held_on__year="2026", decision="nfa", quorate="yes"
)


def test_valid_input_becomes_clean_task_data():
    data, errors = validate(FORM, post(**GOOD, agencies=["gp", "police"], at="9.30"), TODAY)
    assert not errors
    assert data == {
        "held_on": "2026-03-02",
        "decision": "nfa",
        "quorate": True,
        "agencies": ["gp", "police"],
        "at": "09:30",
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"held_on__day": "", "held_on__month": "", "held_on__year": ""},
            "held_on",
            "Enter date of the conference",
        ),
        ({"held_on__month": ""}, "held_on", "Date of the conference must include a month"),
        (
            {"held_on__day": "31", "held_on__month": "2"},
            "held_on",
            "Date of the conference must be a real date",
        ),
        ({"held_on__year": "26"}, "held_on", "Date of the conference must be a real date"),
        ({"held_on__day": "3"}, "held_on", "Date of the conference must be today or in the past"),
        ({"decision": "maybe"}, "decision", "Select decision"),
        ({"quorate": ""}, "quorate", "Select yes or no: Was it quorate?"),
        ({"decision": "cp_plan"}, "category", "Select category"),
        ({"notes": "x" * 11}, "notes", "Notes must be 10 characters or fewer"),
        (
            {"notes": "a\x00b"},
            "notes",
            "Notes contains a character that cannot be saved: remove it",
        ),
        (
            {"notes": "a\ud800"},
            "notes",
            "Notes contains a character that cannot be saved: remove it",
        ),
        ({"held_on__day": "2\x00"}, "held_on", "Date of the conference must be a real date"),
        (  # 23 digits: OverflowError in `date`, a server error on every form with a date
            {"held_on__month": "99999999999999999999999"},
            "held_on",
            "Date of the conference must be a real date",
        ),
        ({"held_on__day": "9" * 18}, "held_on", "Date of the conference must be a real date"),
        ({"held_on__day": "²"}, "held_on", "Date of the conference must be a real date"),
        ({"decision": "nfa\x00"}, "decision", "Select decision"),
        ({"at": "25:00"}, "at", "Time must be a real time, like 09:30 or 14:00"),
        ({"agencies": ["police", "mi5"]}, "agencies", "Select agencies"),
        (
            {"held_on__year": "0001"},
            "held_on",
            "Date of the conference must be on or after 1 January 1900",
        ),
    ],
)
def test_bad_input_gets_a_govuk_message_for_its_field(change, field, message):
    data, errors = validate(FORM, post(**{**GOOD, **change}), TODAY)
    assert errors.messages[field] == message


def test_a_field_whose_condition_is_false_is_dropped():
    data, errors = validate(FORM, post(**GOOD, category="NEG"), TODAY)
    assert not errors
    assert "category" not in data


def test_unknown_posted_keys_never_reach_the_data():
    data, _ = validate(FORM, post(**GOOD, typename="BpmnWorkflow", __class__="x"), TODAY)
    assert set(data) <= {f.name for f in FORM.fields}


NUMBER_FORM = parse(
    "test/number",
    {"title": "Numbers", "fields": [{"name": "count", "type": "number", "label": "How many"}]},
)


@pytest.mark.parametrize(("typed", "number"), [("3", 3), ("-3", -3), ("0", 0)])
def test_a_number_field_reads_plain_digits(typed, number):
    data, errors = validate(NUMBER_FORM, post(count=typed), TODAY)
    assert not errors.messages and data["count"] == number


@pytest.mark.parametrize("typed", ["²", "3.5", "--3", "9" * 5000])
def test_a_number_field_refuses_what_int_cannot_read(typed):
    _data, errors = validate(NUMBER_FORM, post(count=typed), TODAY)
    assert errors.messages["count"] == "How many must be a whole number"


BOUNDED = parse(
    "test/bounded",
    {
        "title": "Dates",
        "fields": [
            {"name": "booked", "type": "date", "label": "Date booked"},
            {"name": "discussed", "type": "date", "label": "Date discussed", "rules": ["recent"]},
        ],
    },
)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("booked", "31-12-9999", "Date booked must be on or before 2 March 2028"),
        ("booked", "3-3-2028", "Date booked must be on or before 2 March 2028"),
        ("booked", "2-3-2028", None),
        ("discussed", "1-1-0001", "Date discussed must be on or after 1 January 1900"),
        (
            "discussed",
            "1-3-2025",
            "Date discussed must be within the last year, on or after 2 March 2025",
        ),
        ("discussed", "2-3-2025", None),
    ],
)
def test_dates_stay_within_sensible_bounds(field, value, message):
    day, month, year = value.split("-")
    posted = {f"{field}__day": day, f"{field}__month": month, f"{field}__year": year}
    data, errors = validate(BOUNDED, post(**posted), TODAY)
    assert errors.messages.get(field) == message
    assert (field in data) is (message is None)
