"""Between task data and what a form shows or posts (dates split into day/month/year)."""

from __future__ import annotations

from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from engine.models.people import users_with_role
from forms import FormDefinition


def options_resolver(session):
    """Resolve `options_from` lists such as `users:conference_chair`."""

    def resolve(source: str) -> list[dict]:
        kind, _, arg = source.partition(":")
        if kind == "users":
            return [
                {"value": u.username, "text": u.display_name} for u in users_with_role(session, arg)
            ]
        return []

    return resolve


def _date_parts(name: str, value: str) -> dict[str, str]:
    """`2026-03-02` as the three inputs; anything else lands where validation will reject it."""
    parts = value[:10].split("-")
    if len(parts) != 3:
        return {f"{name}-day": value, f"{name}-month": "", f"{name}-year": ""}
    year, month, day = parts
    return {
        f"{name}-day": day.lstrip("0") or day,
        f"{name}-month": month.lstrip("0") or month,
        f"{name}-year": year,
    }


def values_from_data(definition: FormDefinition, data: Mapping) -> MultiDict:
    """Prefill: task data (entered once, at an earlier step) shown in this form's inputs."""
    values = MultiDict()
    _fill(values, definition.fields, data)
    return values


def _fill(values: MultiDict, fields, data: Mapping) -> None:
    for field in fields:
        if field.name not in data:
            continue
        value = data[field.name]
        if field.type == "list" and isinstance(value, list):
            for index, item in enumerate(value[: field.max_items]):
                if isinstance(item, Mapping):
                    row = {f"{field.name}-{index}-{k}": v for k, v in item.items()}
                    _fill(values, field.row(index), row)
        elif field.type == "date" and value:
            values.update(_date_parts(field.name, str(value)))
        elif field.type == "yes_no" and isinstance(value, bool):
            values[field.name] = "yes" if value else "no"
        elif field.type == "checkboxes" and isinstance(value, list):
            values.setlist(field.name, [str(v) for v in value])
        elif value is not None:
            values[field.name] = str(value)
