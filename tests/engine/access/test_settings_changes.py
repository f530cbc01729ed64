"""An administrator changes the council settings: each wrong field gets its own message and
nothing is saved; a right change is a new version (who, when, why), audited, and what the
engine reads from then on, in this process and in another that refreshes."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from engine.access import settings_changes
from engine.models import AuditEvent, council_settings
from engine.platform import settings
from engine.platform.errors import NotAllowed
from tests.factories import make_user

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_each_wrong_field_gets_a_message_and_nothing_is_saved(db):
    admin = make_user(db, "admin", "administrator", team=None)
    version, errors = settings_changes.change(
        db,
        admin,
        {
            "core_group_interval_weeks": "six",
            "family_link_days": "0",
            "daily_digest_time": "25:00",
            "census_la_code": "12",
            "escalation_chain": "team_manager, head_of_everything",
            "council_name": "  ",
        },
        "",
        NOW,
    )
    assert version is None
    assert errors == {
        "core_group_interval_weeks": "Core group interval weeks must be a whole number "
        "from 1 to 12",
        "family_link_days": "Family link days must be a whole number from 1 to 90",
        "daily_digest_time": "Daily digest time must be a 24-hour time, like 07:30",
        "census_la_code": "Census LA code must be the council's three-digit LA number, like 999",
        "escalation_chain": "Escalation chain must list roles separated by commas, like "
        "team_manager",
        "council_name": "Enter the council name (up to 500 characters)",
        "reason": "Say why the settings are changing (up to 500 characters)",
    }
    assert council_settings.versions(db) == []
    assert settings.get("core_group_interval_weeks") == 6


def test_a_change_is_a_version_the_engine_reads_and_the_audit_records(db):
    admin = make_user(db, "admin", "administrator", team=None)
    form = {"council_name": "Northshire County Council", "core_group_interval_weeks": "4"}
    version, errors = settings_changes.change(db, admin, form, "Council renamed", NOW)
    assert errors == {}
    assert (version.changed_by, version.reason) == ("admin", "Council renamed")
    assert settings.get("council_name") == "Northshire County Council"
    assert settings.get("core_group_interval_weeks") == 4
    assert settings.get("family_link_days") == 14  # not in the form: kept
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert event.detail["changed"] == {
        "council_name": ["Demo Borough Council", "Northshire County Council"],
        "core_group_interval_weeks": [6, 4],
    }
    second, _ = settings_changes.change(db, admin, {"council_phone": "01632 960000"}, "New", NOW)
    assert [v.id for v in council_settings.versions(db)] == [second.id, version.id]
    # Another worker started before the change refreshes to the newest version.
    settings.adopt(None, {})
    assert settings.get("council_name") == "Demo Borough Council"
    council_settings.refresh(db)
    assert settings.get("council_name") == "Northshire County Council"
    assert settings.get("council_phone") == "01632 960000"
    nothing, errors = settings_changes.change(
        db, admin, {"council_phone": "01632 960000"}, "x", NOW
    )
    assert nothing is None and errors == {
        "reason": "Nothing has changed: change a setting before saving"
    }


def test_only_an_administrator_changes_settings(db):
    manager = make_user(db, "sm", "service_manager", team=None)
    with pytest.raises(NotAllowed):
        settings_changes.change(db, manager, {"council_name": "X"}, "why", NOW)


def test_another_workers_version_is_read_again_only_every_few_seconds(db, monkeypatch):
    """Every request refreshes; the newest version's id is asked for at most every
    RECHECK_SECONDS per database, and at once when the version in use changed."""
    admin = make_user(db, "admin", "administrator", team=None)
    clock = [1000.0]
    monkeypatch.setattr(council_settings.time, "monotonic", lambda: clock[0])
    council_settings.refresh(db)
    saved = council_settings.save(db, {"council_name": "Westshire Council"}, "x", "admin", NOW)
    db.commit()  # by another worker: this one has not adopted it
    clock[0] += council_settings.RECHECK_SECONDS / 2
    council_settings.refresh(db)
    assert settings.get("council_name") == "Demo Borough Council"
    clock[0] += council_settings.RECHECK_SECONDS
    council_settings.refresh(db)
    assert settings.get("council_name") == "Westshire Council"
    assert settings.stored_version() == saved.id
    # This worker's own change is in use at once, and a version reset (another database,
    # a test) makes the next refresh ask again whatever the time.
    settings_changes.change(db, admin, {"council_name": "Eastshire Council"}, "Renamed", NOW)
    assert settings.get("council_name") == "Eastshire Council"
    settings.adopt(None, {})
    council_settings.refresh(db)
    assert settings.get("council_name") == "Eastshire Council"


@pytest.mark.parametrize("typed", ["²", "9" * 5000, "-1", "1.5", "１"])
def test_a_number_setting_not_in_plain_digits_gets_its_message(db, typed):
    """A "²" or "１" passes `str.isdigit` (`int` refuses "²", and 5,000 digits;
    the first two were server errors, "１" was saved as 1). Each gets the field's message."""
    admin = make_user(db, "admin", "administrator", team=None)
    version, errors = settings_changes.change(
        db, admin, {"family_link_days": typed}, "Longer links", NOW
    )
    assert version is None
    assert errors == {"family_link_days": "Family link days must be a whole number from 1 to 90"}
    assert council_settings.versions(db) == []
