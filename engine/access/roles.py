"""The roles of the brief, and how a diagram's lane names map onto them."""

from __future__ import annotations

import re

ROLES: dict[str, str] = {
    "social_worker": "Social worker",
    "team_manager": "Team manager",
    "service_manager": "Service manager",
    "conference_chair": "Conference chair",
    "business_support": "Business support",
    "agency_professional": "Agency professional",
    "process_owner": "Process owner",
    "administrator": "Administrator",
}


def role_for_lane(lane: str | None) -> str | None:
    """`"Conference chair"` → `"conference_chair"`; None for an unknown or missing lane."""
    if not lane:
        return None
    key = re.sub(r"[^a-z0-9]+", "_", lane.strip().lower()).strip("_")
    return key if key in ROLES else None


def label(role: str) -> str:
    return ROLES.get(role, role)
