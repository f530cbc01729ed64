"""Template filters: dates the GOV.UK way, and how urgent a due date is."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from engine.models.conferences import agency_label
from engine.models.withholding import request_named
from engine.platform import clock, workdays
from engine.platform import settings as council
from engine.platform.clock import LONDON


def govuk_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(LONDON)
        return f"{value.day} {value:%B %Y} at {value:%H:%M}"
    return f"{value.day} {value:%B %Y}"


def datetime_london(value) -> str:
    """An instant as people in England read it: 23 November 2026, 11:05."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{local.day} {local:%B %Y, %H:%M}"


def due_tag(due_on: date | None, today: date | None = None) -> dict | None:
    """A GOV.UK tag for a due date: overdue, due today, or due soon (in working days)."""
    if due_on is None:
        return None
    today = today or clock.current().today()
    if due_on < today:
        return {"text": "Overdue", "classes": "govuk-tag--red"}
    if due_on == today:
        return {"text": "Due today", "classes": "govuk-tag--orange"}
    if workdays.working_days_between(today, due_on) <= 2:
        return {"text": "Due soon", "classes": "govuk-tag--yellow"}
    return None


def duration(seconds: float | None) -> str:
    """A lag in words: "0.4 seconds", "12 seconds", "3 minutes", "2 hours 5 minutes"."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{max(seconds, 0):.1f} seconds"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = (
        [(hours, "hour"), (minutes, "minute")] if hours else [(minutes, "minute"), (secs, "second")]
    )
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or f"{whole} seconds"


def list_rows(field, values) -> int:
    """Rows to show for a repeating list: those filled in plus two spare, within its limit."""
    from forms.validation import item_count

    return min(field.max_items, max(item_count(field, values) + 2, 3))


def form_date_names(form) -> set[str]:
    """Names of date fields, in rows of lists too: their error links point at the day input."""
    names = set()
    for field in form.fields:
        names.update(f.name for f in (field, *field.item_fields) if f.type == "date")
    return names


DECISIONS = {
    "cp_plan": "Child protection plan",
    "cin_plan": "Child in need plan",
    "nfa": "No further action",
    "continue": "Plan continues",
    "end_cin": "Plan ended: child in need plan",
    "end_nfa": "Plan ended: no further action",
}


def decision_label(conference) -> str:
    """The decision in words, with the category when a plan starts or continues."""
    if not conference.decision:
        return ""
    from engine.models.conferences import CATEGORIES

    text = DECISIONS.get(conference.decision, conference.decision)
    if conference.category:
        text += f" ({CATEGORIES.get(conference.category, conference.category).lower()})"
    return text


PROCESSES = {
    "icpc": "Initial conference",
    "rcpc": "Review conference",
    "core_group": "Core group",
    "end_plan": "Plan ending",
}


def process_label(process_id: str | None) -> str:
    """A process in words, for lists and filters ("rcpc" is "Review conference")."""
    if not process_id:
        return ""
    return PROCESSES.get(process_id, process_id.replace("_", " ").capitalize())


def escalation_tag(level: int) -> dict:
    """The purple tag of an escalated step, saying how far up the council's chain it went."""
    chain = council.get("escalation_chain")
    role = chain[min(int(level), len(chain)) - 1].replace("_", " ")
    return {"text": f"Escalated to {role}", "classes": "govuk-tag--purple"}


def init_app(app: Flask) -> None:
    app.jinja_env.filters["escalation_tag"] = escalation_tag
    app.jinja_env.filters["process_label"] = process_label
    app.jinja_env.globals["decision_label"] = decision_label
    app.jinja_env.globals["list_rows"] = list_rows
    app.jinja_env.globals["form_date_names"] = form_date_names
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.filters["datetime_london"] = datetime_london
    app.jinja_env.filters["due_tag"] = due_tag
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["agency"] = agency_label  # "health_visitor" is "Health visitor"
    # A request by what it does and from whom: "Withhold Ann's address from all family members"
    app.jinja_env.filters["request_named"] = request_named
