"""Load form definitions (`forms/<process>/<task>.json`) once, and check they are sound."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

FORMS_DIR = Path(__file__).resolve().parent
FIELD_TYPES = frozenset(
    {
        "text",
        "textarea",
        "date",
        "time",
        "radios",
        "select",
        "checkboxes",
        "yes_no",
        "number",
        "list",
    }
)
CHOICE_TYPES = frozenset({"radios", "select", "checkboxes"})
DATE_RULES = frozenset({"not_future", "not_past", "recent"})
MOST_CHARACTERS = 100_000  # the largest max_length a field may set
MAX_KEY = 200  # as the form_key columns hold; far longer was a file name the OS refused


class FormDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    rules: tuple[str, ...] = ()
    options: tuple[dict, ...] = ()
    options_from: str | None = None
    required_if: dict | None = None
    max_length: int | None = None
    item_fields: tuple[Field, ...] = ()
    item_label: str = "Item"
    max_items: int = 10

    @property
    def label_lower(self) -> str:
        return self.label[:1].lower() + self.label[1:]

    def row(self, index: int) -> tuple[Field, ...]:
        """The item fields of row `index` of a list, named as the browser posts them."""
        prefix = f"{self.name}-{index}-"
        return tuple(
            replace(f, name=prefix + f.name, label=f"{f.label} ({self.item_label} {index + 1})")
            for f in self.item_fields
        )


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    fields: tuple[Field, ...]
    caption: str = ""
    description: str = ""
    submit: str = "Save and continue"


def path_for(key: str) -> Path:
    if (
        not key
        or len(key) > MAX_KEY
        or ".." in key
        or key.startswith("/")
        or not key.replace("/", "").replace("_", "").isalnum()
    ):
        raise FormDefinitionError(f"not a form key: {key!r}")
    return FORMS_DIR / f"{key}.json"


def keys() -> list[str]:
    """Every form key there is, for the diagram editor's form picker."""
    return sorted(
        p.relative_to(FORMS_DIR).with_suffix("").as_posix() for p in FORMS_DIR.rglob("*.json")
    )


def exists(key: str) -> bool:
    try:
        load(key)
    except FormDefinitionError:
        return False
    return True


@lru_cache(maxsize=512)
def load(key: str) -> FormDefinition:
    path = path_for(key)
    if not path.is_file():
        raise FormDefinitionError(f"no form definition {key!r}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FormDefinitionError(f"{path.name}: not valid JSON ({exc})") from exc
    return parse(key, raw)


def parse(key: str, raw: dict) -> FormDefinition:
    fields = tuple(_field(key, f) for f in raw.get("fields", []))
    names = [f.name for f in fields]
    if len(names) != len(set(names)):
        raise FormDefinitionError(f"{key}: a field name is used twice")
    for f in fields:
        if f.required_if and not set(f.required_if) <= set(names):
            raise FormDefinitionError(f"{key}.{f.name}: required_if names an unknown field")
    if not raw.get("title"):
        raise FormDefinitionError(f"{key}: a form needs a title")
    return FormDefinition(
        key=key,
        title=raw["title"],
        fields=fields,
        caption=raw.get("caption", ""),
        description=raw.get("description", ""),
        submit=raw.get("submit", "Save and continue"),
    )


def _max_length(where: str, raw: dict) -> int | None:
    """`max_length`, capped by the `column` ("table.column") the answer is stored in.

    The column's bound is read from the model, not typed again here, so a field can never
    accept more than its column holds (PostgreSQL would refuse it after the form passed).
    """
    explicit = raw.get("max_length")
    if explicit is not None and (
        isinstance(explicit, bool)
        or not isinstance(explicit, int)
        or not 1 <= explicit <= MOST_CHARACTERS
    ):
        raise FormDefinitionError(
            f"{where}: the most characters must be a whole number from 1 to {MOST_CHARACTERS:,}"
        )
    if not raw.get("column"):
        return explicit
    from engine.models.lengths import table_limit

    try:
        bound = table_limit(raw["column"])
    except KeyError:
        raise FormDefinitionError(f"{where}: no bounded text column {raw['column']!r}") from None
    return min(explicit, bound) if explicit else bound


def _field(key: str, raw: dict) -> Field:
    name, kind = raw.get("name", ""), raw.get("type")
    if not name.isidentifier() or name.startswith("_"):
        raise FormDefinitionError(f"{key}: {name!r} is not a valid field name")
    if kind not in FIELD_TYPES:
        raise FormDefinitionError(f"{key}.{name}: unknown field type {kind!r}")
    rules = tuple(raw.get("rules", ()))
    if set(rules) - DATE_RULES:
        raise FormDefinitionError(f"{key}.{name}: unknown rules {sorted(set(rules) - DATE_RULES)}")
    options = tuple(raw.get("options", ()))
    if kind in CHOICE_TYPES and not options and not raw.get("options_from"):
        raise FormDefinitionError(f"{key}.{name}: a {kind} field needs options")
    items = tuple(_field(f"{key}.{name}", f) for f in raw.get("fields", ()))
    if kind == "list" and (not items or any(f.type == "list" for f in items)):
        raise FormDefinitionError(f"{key}.{name}: a list needs item fields, and no lists in lists")
    if any(f.required_if for f in items):
        raise FormDefinitionError(f"{key}.{name}: required_if is not supported inside a list")
    return Field(
        name=name,
        type=kind,
        label=raw.get("label") or name,
        hint=raw.get("hint", ""),
        required=bool(raw.get("required", False)),
        rules=rules,
        options=options,
        options_from=raw.get("options_from"),
        required_if=raw.get("required_if"),
        max_length=_max_length(f"{key}.{name}", raw),
        item_fields=items,
        item_label=raw.get("item_label", "Item"),
        max_items=int(raw.get("max_items", 10)),
    )
