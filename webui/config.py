"""Settings: a small class hierarchy chosen by CPC_ENV, overlaid with environment variables.

The classes hold defaults; every value a council sets comes from an environment variable in
`ENVIRONMENT` and is parsed and checked when the app (or gunicorn) starts, so a typing mistake
stops the service with one clear line per problem instead of failing at three in the morning.
In production no secret has a default and the settings that must differ per council are
required.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from engine.documents import antivirus
from engine.platform import folders

DATA_DIR = Path(os.environ.get("CPC_DATA_DIR", "instance"))
SCHEDULER_MODES = ("app", "off")
MAIL_BACKENDS = ("smtp", "folder", "console")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
MIN_SECRET_LENGTH = 32
MIN_TOKEN_LENGTH = 16


class SettingsError(RuntimeError):
    """Every setting that is missing or wrong, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The settings are not right:\n  - " + "\n  - ".join(problems))


class Config:
    SERVICE_NAME = "Child protection conferences"
    SECRET_KEY = None
    DATABASE_URL = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A session ends after this long without a request, and after SESSION_MAX_HOURS in all
    # (engine/access/sessions.py); the cookie itself lives no longer than that.
    SESSION_IDLE_MINUTES = 60
    SESSION_MAX_HOURS = 10
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    # Failed sign-ins one client address may make in 15 minutes (engine/access/throttle.py):
    # raise it when many people reach the service from one council address.
    SIGN_IN_FAILURES_PER_CLIENT = 20
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # node_modules in a checkout, the copy in an installed wheel (engine.platform.folders)
    FRONTEND_DIR = folders.resolve(folders.FRONTEND, environ={})
    SHOW_DEMO_ACCOUNTS = False
    CLOCK = None  # an engine.platform.clock.Clock; None means the system clock
    PROCESSES_DIR = folders.resolve(folders.PROCESSES, environ={})
    # Links in emails start with this: the address people use to reach the service.
    BASE_URL = "http://127.0.0.1:5000"

    # The scheduler (timer sweep, mail, digest): `app` runs it in every web process;
    # `off` leaves it to a dedicated `cpc scheduler` process.
    SCHEDULER = "app"
    TIMER_SWEEP_SECONDS = 1.0
    TIMER_LEASE_SECONDS = 30
    MAIL_SEND_SECONDS = 5.0

    # Email: `smtp` (Flask-Mail, the MAIL_* settings), `folder` (.eml files) or `console`.
    MAIL_BACKEND = "smtp"
    MAIL_FOLDER = DATA_DIR / "mail"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "cpc-noreply@example.invalid"
    MAIL_TIMEOUT = 30.0
    # Flask-Mail drops every email silently when the app is testing; MAIL_BACKEND decides.
    MAIL_SUPPRESS_SEND = False

    # OpenID Connect sign-in (e.g. Microsoft Entra ID); off unless the metadata URL is set.
    # Entra: https://login.microsoftonline.com/<tenant-id>/v2.0/.well-known/openid-configuration
    OIDC_METADATA_URL = None
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_LABEL = "Sign in with your council account"

    # Operations: logs, the proxy in front, metrics, readiness.
    LOG_LEVEL = "INFO"
    PROXY_HOPS = 0  # how many proxies (TLS terminators) stand in front and set X-Forwarded-*
    METRICS_TOKEN = None  # unset: /metrics answers only direct requests from this machine
    OUTBOX_STUCK_SECONDS = 900  # a pending email older than this turns readiness red

    # A ClamAV daemon every uploaded report file is sent to: host:port or unix:/path. Unset:
    # no virus scan. Set and not answering: uploads are refused (engine.documents.antivirus).
    CLAMD_ADDRESS = None
    CLAMD_TIMEOUT = 30.0

    # Settings a mode fixes whatever the environment says.
    PINNED: tuple[str, ...] = ()


class DevelopmentConfig(Config):
    SECRET_KEY = "development-only-not-a-secret"
    SHOW_DEMO_ACCOUNTS = True
    MAIL_BACKEND = "folder"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-a-secret"
    SHOW_DEMO_ACCOUNTS = True
    SCHEDULER = "off"
    MAIL_BACKEND = "console"
    LOG_LEVEL = "WARNING"  # a test that reads the logs asks for more
    PINNED = ("SECRET_KEY", "SCHEDULER", "MAIL_BACKEND")
    # Tests move the injected clock on by weeks between requests; the sessions' own tests
    # (tests/webui/test_sessions.py) set the production figures.
    SESSION_IDLE_MINUTES = 10 * 365 * 24 * 60
    SESSION_MAX_HOURS = 10 * 365 * 24


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
KNOWN_NOT_SECRET = {DevelopmentConfig.SECRET_KEY, TestConfig.SECRET_KEY}


# ---- parsing the environment ----------------------------------------------------------------


def _text(value: str) -> str:
    return value


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"must be a whole number, not {value!r}") from None
        if number < low or (high is not None and number > high):
            span = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise ValueError(f"must be {span}, not {number}")
        return number

    return parse


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"must be a number of seconds, not {value!r}") from None
    if not number > 0:
        raise ValueError(f"must be more than 0 seconds, not {value}")
    return number


def _flag(value: str) -> bool:
    try:
        return FLAGS[value.strip().lower()]
    except KeyError:
        raise ValueError(f"must be 1 or 0 (true or false), not {value!r}") from None


def _choice(*options: str, upper: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.strip().upper() if upper else value.strip()
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {value!r}")
        return value

    return parse


def _database_url(value: str) -> str:
    try:
        make_url(value)
    except ArgumentError:
        raise ValueError(
            "is not a database URL (postgresql+psycopg://user:password@host:5432/name)"
        ) from None
    return value


def _clamd_address(value: str) -> str:
    antivirus.parse_address(value)
    return value.strip()


def _base_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"must be the service's web address, such as https://cpc.example.gov.uk, not {value!r}"
        )
    return value.strip().rstrip("/")


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    parse: Callable[[str], object] = _text  # raises ValueError, never echoing a secret


ENVIRONMENT = (
    Setting("SECRET_KEY", "SECRET_KEY"),
    Setting("DATABASE_URL", "DATABASE_URL", _database_url),
    Setting("CPC_BASE_URL", "BASE_URL", _base_url),
    Setting("CPC_FRONTEND_DIR", "FRONTEND_DIR", Path),
    Setting("CPC_PROCESSES_DIR", "PROCESSES_DIR", Path),
    Setting("CPC_SCHEDULER", "SCHEDULER", _choice(*SCHEDULER_MODES)),
    Setting("CPC_TIMER_SWEEP_SECONDS", "TIMER_SWEEP_SECONDS", _seconds),
    Setting("CPC_TIMER_LEASE_SECONDS", "TIMER_LEASE_SECONDS", _whole(5)),
    Setting("CPC_MAIL_SEND_SECONDS", "MAIL_SEND_SECONDS", _seconds),
    Setting("CPC_MAIL_BACKEND", "MAIL_BACKEND", _choice(*MAIL_BACKENDS)),
    Setting("CPC_MAIL_FOLDER", "MAIL_FOLDER", Path),
    Setting("MAIL_SERVER", "MAIL_SERVER"),
    Setting("MAIL_PORT", "MAIL_PORT", _whole(1, 65535)),
    Setting("MAIL_USE_TLS", "MAIL_USE_TLS", _flag),
    Setting("MAIL_USE_SSL", "MAIL_USE_SSL", _flag),
    Setting("MAIL_USERNAME", "MAIL_USERNAME"),
    Setting("MAIL_PASSWORD", "MAIL_PASSWORD"),
    Setting("MAIL_DEFAULT_SENDER", "MAIL_DEFAULT_SENDER"),
    Setting("MAIL_TIMEOUT", "MAIL_TIMEOUT", _seconds),
    Setting("CPC_LOG_LEVEL", "LOG_LEVEL", _choice(*LOG_LEVELS, upper=True)),
    Setting("CPC_PROXY_HOPS", "PROXY_HOPS", _whole(0, 5)),
    Setting("CPC_METRICS_TOKEN", "METRICS_TOKEN"),
    Setting("CPC_OUTBOX_STUCK_SECONDS", "OUTBOX_STUCK_SECONDS", _whole(60)),
    Setting("CPC_CLAMD_ADDRESS", "CLAMD_ADDRESS", _clamd_address),
    Setting("CPC_CLAMD_TIMEOUT", "CLAMD_TIMEOUT", _seconds),
    Setting("CPC_OIDC_METADATA_URL", "OIDC_METADATA_URL", _base_url),
    Setting("CPC_OIDC_CLIENT_ID", "OIDC_CLIENT_ID"),
    Setting("CPC_OIDC_CLIENT_SECRET", "OIDC_CLIENT_SECRET"),
    Setting("CPC_SESSION_IDLE_MINUTES", "SESSION_IDLE_MINUTES", _whole(1, 24 * 60)),
    Setting("CPC_SESSION_MAX_HOURS", "SESSION_MAX_HOURS", _whole(1, 24 * 7)),
    Setting("CPC_SIGN_IN_FAILURES_PER_CLIENT", "SIGN_IN_FAILURES_PER_CLIENT", _whole(5, 10_000)),
    Setting("CPC_OIDC_LABEL", "OIDC_LABEL"),
)
BY_KEY = {setting.key: setting for setting in ENVIRONMENT}
# Variables no longer read, and where their value now lives: set, they stop the start.
RETIRED = {
    "CPC_COUNCIL_NAME": (
        "is no longer read: set council_name in processes/settings.json, "
        "where the letters, emails and page header all read it"
    ),
    "CPC_OIDC_USERNAME_CLAIM": (
        "is no longer read: accounts are linked by the provider's immutable subject "
        "(oid or sub), which an administrator links on the user's page"
    ),
}


def from_environment(environ: Mapping[str, str], pinned=()) -> tuple[dict, list[str]]:
    """The settings the environment sets, parsed, and a line for each that is wrong."""
    values = {}
    problems = [f"{name} {why}" for name, why in RETIRED.items() if name in environ]
    for setting in ENVIRONMENT:
        raw = environ.get(setting.env)
        if raw is None or setting.key in pinned:
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as exc:
            problems.append(f"{setting.env} {exc}")
    return values, problems


# ---- checking the result --------------------------------------------------------------------


def _name(key: str) -> str:
    setting = BY_KEY.get(key)
    return setting.env if setting else key


def check(config: Mapping, production: bool, environ: Mapping[str, str], failed=()) -> list[str]:
    """What is wrong with the settings as a whole; `failed` names those that did not parse."""
    problems = []
    for key, options in (
        ("SCHEDULER", SCHEDULER_MODES),
        ("MAIL_BACKEND", MAIL_BACKENDS),
        ("LOG_LEVEL", LOG_LEVELS),
    ):
        if config.get(key) not in options:
            problems.append(
                f"{_name(key)} must be one of {', '.join(options)}, not {config.get(key)!r}"
            )
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        problems.append("MAIL_USE_TLS and MAIL_USE_SSL cannot both be on: choose one")
    token = config.get("METRICS_TOKEN")
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        problems.append(f"CPC_METRICS_TOKEN must be at least {MIN_TOKEN_LENGTH} characters long")
    if config.get("OIDC_METADATA_URL") and not (
        config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET")
    ):
        problems.append(
            "CPC_OIDC_CLIENT_ID and CPC_OIDC_CLIENT_SECRET must be set with CPC_OIDC_METADATA_URL"
        )
    if production:
        problems += [p for p in _production_problems(config, environ) if p.split()[0] not in failed]
    elif not config.get("SECRET_KEY"):
        problems.append("SECRET_KEY must be set")
    return problems


def _production_problems(config: Mapping, environ: Mapping[str, str]) -> list[str]:
    problems = []
    secret = config.get("SECRET_KEY") or ""
    if not secret:
        problems.append(
            "SECRET_KEY must be set in production (for example: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    elif len(secret) < MIN_SECRET_LENGTH or secret in KNOWN_NOT_SECRET:
        problems.append(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} characters"
        )
    if not config.get("DATABASE_URL"):
        problems.append("DATABASE_URL must be set in production (postgresql+psycopg://…)")
    if "CPC_BASE_URL" not in environ:
        problems.append("CPC_BASE_URL must be set in production: the https:// address staff use")
    elif not str(config.get("BASE_URL", "")).startswith("https://"):
        problems.append("CPC_BASE_URL must start with https:// in production (TLS in front)")
    if config.get("MAIL_BACKEND") == "console":
        problems.append("CPC_MAIL_BACKEND cannot be console in production: no email would go out")
    if config.get("MAIL_BACKEND") == "smtp" and "MAIL_DEFAULT_SENDER" not in environ:
        problems.append(
            "MAIL_DEFAULT_SENDER must be set in production: the address email comes from"
        )
    if bool(config.get("MAIL_USERNAME")) != bool(config.get("MAIL_PASSWORD")):
        problems.append("MAIL_USERNAME and MAIL_PASSWORD must be set together (or neither)")
    return problems


def settings_for(environ: Mapping[str, str], override=None) -> dict:
    """Every setting for the mode CPC_ENV names: class defaults, environment, override."""
    name = environ.get("CPC_ENV", "development")
    if name not in CONFIGS:
        raise SettingsError([f"CPC_ENV must be one of {', '.join(CONFIGS)}, not {name!r}"])
    cls = CONFIGS[name]
    config = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    values, problems = from_environment(environ, cls.PINNED)
    config.update(values)
    if isinstance(override, dict):
        config.update(override)
    elif override is not None:
        config.update({key: getattr(override, key) for key in dir(override) if key.isupper()})
    failed = {line.split()[0] for line in problems}
    problems += check(config, name == "production", environ, failed)
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_MAX_HOURS"] * 3600
    if problems:
        raise SettingsError(problems)
    config["ENV_NAME"] = name
    return config


def load(app, override=None, environ: Mapping[str, str] | None = None) -> None:
    app.config.update(settings_for(os.environ if environ is None else environ, override))
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
