"""Validate submitted form data against a definition, with GOV.UK Design System messages.

Input is what a browser posts (every value a string, dates as `<name>-day/-month/-year`);
output is clean task data (ISO dates, booleans, integers, lists) or a message per field.
Nothing invalid ever reaches the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from engine.platform import whole_numbers
from engine.platform.storable import storable

from .definitions import Field, FormDefinition

DEFAULT_MAX_TEXT = 10_000
EARLIEST = date(1900, 1, 1)
YEARS_AHEAD = 2  # no date a conference records lies further ahead (9999-12-31 is a typo)


@dataclass
class FormErrors:
    messages: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.messages.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.messages)


OptionsResolver = Callable[[str], list[dict]]


def options_for(f: Field, resolve: OptionsResolver | None) -> list[dict]:
    if f.options_from:
        return resolve(f.options_from) if resolve else []
    return list(f.options)


def _get(raw: Mapping, name: str):
    getlist = getattr(raw, "getlist", None)
    return getlist(name) if getlist else raw.get(name, [])


def _text(raw: Mapping, name: str) -> str:
    value = raw.get(name, "")
    return (value if isinstance(value, str) else str(value)).strip()


def validate(
    definition: FormDefinition, raw: Mapping, today: date, resolve: OptionsResolver | None = None
) -> tuple[dict, FormErrors]:
    data: dict = {}
    errors = FormErrors()
    for f in definition.fields:
        if f.required_if and not _condition_met(f.required_if, raw):
            continue
        required = f.required or bool(f.required_if)
        value, message = _clean(f, raw, required, today, resolve)
        if isinstance(message, tuple):  # a list reports the row field at fault
            errors.add(*message)
        elif message:
            errors.add(f.name, message)
        elif value is not None:
            data[f.name] = value
    return data, errors


def _condition_met(condition: dict, raw: Mapping) -> bool:
    return all(_text(raw, name) == str(value) for name, value in condition.items())


def _clean(f: Field, raw, required, today, resolve):
    if f.type == "list":
        return _list(f, raw, required, today, resolve)
    if f.type == "date":
        return _date(f, raw, required, today)
    if f.type == "checkboxes":
        return _checkboxes(f, raw, required, resolve)
    text = _text(raw, f.name)
    if not text:
        return None, (_missing(f) if required else None)
    if f.type in ("radios", "select"):
        allowed = {str(o["value"]) for o in options_for(f, resolve)}
        return (text, None) if text in allowed else (None, _missing(f))
    if f.type == "yes_no":
        if text not in ("yes", "no"):
            return None, _missing(f)
        return text == "yes", None
    if f.type == "number":
        number = whole_numbers.parse(text.removeprefix("-"))
        if number is None:
            return None, f"{f.label} must be a whole number"
        return (-number if text.startswith("-") else number), None
    if f.type == "time":
        return _time(f, text)
    limit = f.max_length or DEFAULT_MAX_TEXT
    if len(text) > limit:
        return None, f"{f.label} must be {limit} characters or fewer"
    if not storable(text):
        return None, f"{f.label} contains a character that cannot be saved: remove it"
    return text, None


def item_count(f: Field, raw: Mapping) -> int:
    """How many rows of a list the input holds (the highest row with any key, plus one)."""
    count = 0
    for index in range(f.max_items):
        prefix = f"{f.name}-{index}-"
        if any(str(key).startswith(prefix) for key in raw):
            count = index + 1
    return count


def _list(f: Field, raw, required, today, resolve):
    """Each row that has anything in it is validated like a small form; blank rows are dropped."""
    items, problem = [], None
    for index in range(item_count(f, raw)):
        row = f.row(index)
        if not any(_has_input(sub, raw) for sub in row):
            continue
        item = {}
        for sub, plain in zip(row, f.item_fields, strict=True):
            value, message = _clean(sub, raw, sub.required, today, resolve)
            if message:
                problem = problem or (sub.name, message)
            elif value is not None:
                item[plain.name] = value
        items.append(item)
    if problem:
        return None, problem
    if required and not items:
        return None, f"Add at least one {f.item_label.lower()}"
    return items, None


def _has_input(f: Field, raw) -> bool:
    if f.type == "date":
        return any(_text(raw, f"{f.name}-{p}") for p in ("day", "month", "year"))
    if f.type == "checkboxes":
        return any(str(v).strip() for v in _get(raw, f.name))
    return bool(_text(raw, f.name))


def _missing(f: Field) -> str:
    if f.type in ("radios", "select", "yes_no", "checkboxes"):
        return f"Select {f.label_lower}" if f.type != "yes_no" else f"Select yes or no: {f.label}"
    return f"Enter {f.label_lower}"


def _checkboxes(f, raw, required, resolve):
    chosen = [str(v).strip() for v in _get(raw, f.name) if str(v).strip()]
    allowed = {str(o["value"]) for o in options_for(f, resolve)}
    if any(v not in allowed for v in chosen):
        return None, _missing(f)
    if not chosen:
        return ([] if not required else None), (_missing(f) if required else None)
    return sorted(set(chosen), key=chosen.index), None


def _time(f: Field, text: str):
    parts = text.replace(".", ":").split(":")
    try:
        hour, minute = (int(p) for p in parts)
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        return None, f"{f.label} must be a real time, like 09:30 or 14:00"
    return f"{hour:02d}:{minute:02d}", None


def _date(f: Field, raw, required, today: date):
    parts = {p: _text(raw, f"{f.name}-{p}") for p in ("day", "month", "year")}
    if not any(parts.values()):
        return None, (_missing(f) if required else None)
    missing = [p for p, v in parts.items() if not v]
    if missing:
        return None, f"{f.label} must include a {' and a '.join(missing)}"
    numbers = {p: whole_numbers.parse(v) for p, v in parts.items()}
    if None in numbers.values() or len(parts["year"]) != 4:
        return None, f"{f.label} must be a real date"
    try:
        value = date(numbers["year"], numbers["month"], numbers["day"])
    except (ValueError, OverflowError):  # a day or month of 18 digits overflows `date`
        return None, f"{f.label} must be a real date"
    bounded = _bounds(f, value, today)
    if bounded:
        return None, bounded
    if "not_future" in f.rules and value > today:
        return None, f"{f.label} must be today or in the past"
    if "not_past" in f.rules and value < today:
        return None, f"{f.label} must be today or in the future"
    return value.isoformat(), None


def _bounds(f: Field, value: date, today: date) -> str | None:
    """Sensible bounds: no year 1, nothing years ahead; a `recent` event within the year."""
    latest = _years_after(today, YEARS_AHEAD)
    if value < EARLIEST:
        return f"{f.label} must be on or after {_words(EARLIEST)}"
    if value > latest:
        return f"{f.label} must be on or before {_words(latest)}"
    earliest = _years_after(today, -1)
    if "recent" in f.rules and value < earliest:
        return f"{f.label} must be within the last year, on or after {_words(earliest)}"
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
