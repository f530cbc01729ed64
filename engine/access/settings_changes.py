"""An administrator changes the council's settings: checked field by field, saved as a new
version with who, when and why, audited, and in use for every step computed after it.

Each setting is checked by what it is (`RULES`): whole numbers within sensible bounds,
times, the census LA code, an email address, the escalation chain's roles. Nothing is saved
unless every field is right, and each wrong one gets its own message. The expression
budgets stay in `settings.json` (they guard the server, not the council's practice).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from engine.access import roles
from engine.access.administration import require_admin
from engine.models import audit, council_settings
from engine.models.people import User
from engine.platform import settings, whole_numbers
from engine.platform.db import transaction

NOT_EDITABLE = {"expression_time_limit_seconds", "expression_size_limit"}
# Whole-number settings: (lowest, highest) allowed.
BOUNDS = {
    "report_working_days_before_icpc": (0, 15),
    "report_working_days_before_review": (0, 30),
    "core_group_interval_weeks": (1, 12),
    "reminder_working_days_before_due": (0, 30),
    "review_booking_working_days_before": (0, 120),
    "second_escalation_after_working_days": (1, 60),
    "pre_birth_conference_by_week_of_pregnancy": (10, 40),
    "pre_birth_review_working_days_after_birth": (1, 60),
    "retention_years_after_plan_end": (1, 100),
    "family_link_days": (1, 90),
    "professional_link_days": (1, 90),
    "report_upload_max_megabytes": (1, 100),
}
LABELS = {
    "council_name": "Council name",
    "council_phone": "Council phone",
    "council_email": "Council email",
    "conference_chair_phone": "Conference chairs' phone",
    "complaints_route": "How to complain",
    "census_la_code": "Census LA code",
    "council_logo": "Logo file",
    "daily_digest_time": "Daily digest time",
    "escalation_chain": "Escalation chain",
}
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
TEXT_LIMIT = 500


def editable() -> list[str]:
    """The settings an administrator may change, in the file's order."""
    return [k for k in settings.defaults() if k not in NOT_EDITABLE]


def label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def shown(value) -> str:
    """A setting's value as the form shows it (a list as comma-separated words)."""
    return ", ".join(value) if isinstance(value, list) else str(value)


def _check(key: str, text: str):
    """(value, None) or (None, the message for this field)."""
    text = text.strip()
    name = label(key)
    if key in BOUNDS:
        low, high = BOUNDS[key]
        number = whole_numbers.parse(text)
        if number is None or not low <= number <= high:
            return None, f"{name} must be a whole number from {low} to {high}"
        return number, None
    if key == "escalation_chain":
        chain = [r.strip() for r in text.split(",") if r.strip()]
        wrong = [r for r in chain if r not in roles.ROLES]
        if not chain or wrong:
            return None, f"{name} must list roles separated by commas, like team_manager"
        return chain, None
    if not text or len(text) > TEXT_LIMIT:
        return None, f"Enter the {name.lower()} (up to {TEXT_LIMIT} characters)"
    if key == "daily_digest_time" and not TIME.fullmatch(text):
        return None, f"{name} must be a 24-hour time, like 07:30"
    if key == "census_la_code" and not re.fullmatch(r"[0-9]{3}", text):
        return None, f"{name} must be the council's three-digit LA number, like 999"
    if key == "council_email" and ("@" not in text or " " in text):
        return None, f"{name} must be an email address, like name@example.com"
    return text, None


def change(
    session: Session, actor: User, form: dict[str, str], reason: str, now: datetime
) -> tuple[council_settings.SettingsVersion | None, dict[str, str]]:
    """Save the settings in `form` as the new effective version, or None and a message per
    wrong field (nothing saved). A field left out of `form` keeps its value."""
    require_admin(actor)
    before = settings.current()
    values, errors = {}, {}
    for key in editable():
        if key not in form:
            values[key] = before[key]
            continue
        values[key], problem = _check(key, form[key])
        if problem:
            errors[key] = problem
    reason = reason.strip()
    if not reason or len(reason) > TEXT_LIMIT:
        errors["reason"] = f"Say why the settings are changing (up to {TEXT_LIMIT} characters)"
    changed = {k: [before[k], v] for k, v in values.items() if v != before[k]}
    if not errors and not changed:
        errors["reason"] = "Nothing has changed: change a setting before saving"
    if errors:
        return None, errors
    with transaction(session):
        version = council_settings.save(session, values, reason, actor.username, now)
        audit.record(
            session, actor, "settings.changed", now, version=version.id, changed=changed,
            reason=reason,
        )  # fmt: skip
    settings.adopt(version.id, values)
    return version, {}
