import pytest
from flask import Flask

from webui import config
from webui.config import SettingsError, settings_for

GOOD_PRODUCTION = {
    "CPC_ENV": "production",
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql+psycopg://cpc:pw@db.internal:5432/cpc",
    "CPC_BASE_URL": "https://cpc.example.gov.uk/",
    "MAIL_DEFAULT_SENDER": "cpc@example.gov.uk",
}


def problems(environ) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        settings_for(environ)
    return caught.value.problems


def test_good_production_settings_are_parsed_from_the_environment():
    settings = settings_for(
        {**GOOD_PRODUCTION, "MAIL_PORT": "587", "MAIL_USE_TLS": "yes", "CPC_LOG_LEVEL": "debug"}
    )
    assert settings["BASE_URL"] == "https://cpc.example.gov.uk"
    assert (settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == (587, True)
    assert settings["LOG_LEVEL"] == "DEBUG"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["ENV_NAME"] == "production"


def test_the_virus_scanner_is_off_unless_an_address_is_given():
    assert settings_for(GOOD_PRODUCTION)["CLAMD_ADDRESS"] is None
    settings = settings_for({**GOOD_PRODUCTION, "CPC_CLAMD_ADDRESS": " clamav.internal:3310 "})
    assert settings["CLAMD_ADDRESS"] == "clamav.internal:3310"


def test_production_without_settings_names_each_missing_one():
    found = problems({"CPC_ENV": "production"})
    assert len(found) == 4, found
    assert found[0].startswith("SECRET_KEY must be set in production")
    assert found[1].startswith("DATABASE_URL must be set")
    assert found[2].startswith("CPC_BASE_URL must be set")
    assert found[3].startswith("MAIL_DEFAULT_SENDER must be set")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECRET_KEY", "short", "SECRET_KEY must be a random value of at least 32"),
        ("SECRET_KEY", "development-only-not-a-secret", "SECRET_KEY must be a random value"),
        ("DATABASE_URL", "not a url", "DATABASE_URL is not a database URL"),
        ("CPC_BASE_URL", "cpc.example.gov.uk", "CPC_BASE_URL must be the service's web address"),
        ("CPC_BASE_URL", "http://cpc.example.gov.uk", "CPC_BASE_URL must start with https://"),
        ("MAIL_PORT", "twenty-five", "MAIL_PORT must be a whole number, not 'twenty-five'"),
        ("MAIL_PORT", "70000", "MAIL_PORT must be from 1 to 65535, not 70000"),
        ("MAIL_USE_TLS", "perhaps", "MAIL_USE_TLS must be 1 or 0"),
        ("CPC_TIMER_SWEEP_SECONDS", "0", "CPC_TIMER_SWEEP_SECONDS must be more than 0 seconds"),
        ("CPC_SCHEDULER", "thread", "CPC_SCHEDULER must be one of app, off, not 'thread'"),
        ("CPC_MAIL_BACKEND", "console", "CPC_MAIL_BACKEND cannot be console in production"),
        ("CPC_LOG_LEVEL", "LOUD", "CPC_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR"),
        ("CPC_PROXY_HOPS", "-1", "CPC_PROXY_HOPS must be from 0 to 5, not -1"),
        ("CPC_METRICS_TOKEN", "abc", "CPC_METRICS_TOKEN must be at least 16 characters"),
        ("MAIL_USERNAME", "relay", "MAIL_USERNAME and MAIL_PASSWORD must be set together"),
        ("CPC_CLAMD_ADDRESS", "clamd", "CPC_CLAMD_ADDRESS must be host:port"),
        ("CPC_CLAMD_ADDRESS", "unix:clamd.sock", "CPC_CLAMD_ADDRESS must be unix:/absolute/path"),
        ("CPC_CLAMD_TIMEOUT", "0", "CPC_CLAMD_TIMEOUT must be more than 0 seconds"),
    ],
)
def test_each_wrong_production_setting_gets_one_clear_line(name, value, message):
    found = problems({**GOOD_PRODUCTION, name: value})
    assert len(found) == 1 and found[0].startswith(message), found


def test_several_wrong_settings_are_all_reported_at_once():
    found = problems({**GOOD_PRODUCTION, "MAIL_PORT": "x", "CPC_TIMER_LEASE_SECONDS": "1"})
    assert [line.split()[0] for line in found] == ["CPC_TIMER_LEASE_SECONDS", "MAIL_PORT"]
    with pytest.raises(SettingsError, match=r"The settings are not right:\n  - MAIL_PORT"):
        config.load(Flask(__name__), environ={**GOOD_PRODUCTION, "MAIL_PORT": "x"})


def test_an_unknown_mode_is_refused():
    assert problems({"CPC_ENV": "staging"}) == [
        "CPC_ENV must be one of development, test, production, not 'staging'"
    ]


def test_development_has_defaults_and_test_mode_pins_its_scheduler_and_mail():
    development = settings_for({})
    assert development["SECRET_KEY"] and development["MAIL_BACKEND"] == "folder"
    pinned = settings_for({"CPC_ENV": "test", "CPC_SCHEDULER": "app", "CPC_MAIL_BACKEND": "smtp"})
    assert (pinned["SCHEDULER"], pinned["MAIL_BACKEND"]) == ("off", "console")


def test_the_app_refuses_to_start_with_a_wrong_override(make_app):
    with pytest.raises(SettingsError, match="CPC_SCHEDULER must be one of app, off"):
        make_app(SCHEDULER="sometimes")


def test_the_retired_council_name_variable_stops_the_start_and_says_where_it_went():
    found = problems({**GOOD_PRODUCTION, "CPC_COUNCIL_NAME": "Northshire County Council"})
    assert found == [
        "CPC_COUNCIL_NAME is no longer read: set council_name in processes/settings.json, "
        "where the letters, emails and page header all read it"
    ]
