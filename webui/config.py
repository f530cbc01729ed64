"""Settings: a small class hierarchy chosen by one environment variable, CPC_ENV."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("CPC_DATA_DIR", "instance"))
SCHEDULER_MODES = ("app", "off")


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


class Config:
    SERVICE_NAME = "Child protection conferences"
    COUNCIL_NAME = os.environ.get("CPC_COUNCIL_NAME", "Demo Borough Council")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    DATABASE_URL = os.environ.get("DATABASE_URL")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    FRONTEND_DIR = Path(os.environ.get("CPC_FRONTEND_DIR", HERE / "node_modules"))
    SHOW_DEMO_ACCOUNTS = False
    CLOCK = None  # an engine.clock.Clock; None means the system clock
    PROCESSES_DIR = Path(os.environ.get("CPC_PROCESSES_DIR", HERE.parent / "processes"))
    # Links in emails start with this: the address people use to reach the service.
    BASE_URL = os.environ.get("CPC_BASE_URL", "http://127.0.0.1:5000")

    # The scheduler (timer sweep, mail, digest): `app` runs it in every web process;
    # `off` leaves it to a dedicated `cpc scheduler` process.
    SCHEDULER = os.environ.get("CPC_SCHEDULER", "app")
    TIMER_SWEEP_SECONDS = float(os.environ.get("CPC_TIMER_SWEEP_SECONDS", "1"))
    TIMER_LEASE_SECONDS = int(os.environ.get("CPC_TIMER_LEASE_SECONDS", "30"))
    MAIL_SEND_SECONDS = float(os.environ.get("CPC_MAIL_SEND_SECONDS", "5"))

    # Email: `smtp` (Flask-Mail, the MAIL_* settings), `folder` (.eml files) or `console`.
    MAIL_BACKEND = os.environ.get("CPC_MAIL_BACKEND", "smtp")
    MAIL_FOLDER = Path(os.environ.get("CPC_MAIL_FOLDER", DATA_DIR / "mail"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "cpc-noreply@example.invalid")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    # Flask-Mail drops every email silently when the app is testing; MAIL_BACKEND decides.
    MAIL_SUPPRESS_SEND = False


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-a-secret")
    SHOW_DEMO_ACCOUNTS = True
    MAIL_BACKEND = os.environ.get("CPC_MAIL_BACKEND", "folder")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-a-secret"
    SHOW_DEMO_ACCOUNTS = True
    SCHEDULER = "off"
    MAIL_BACKEND = "console"


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def load(app, override=None) -> None:
    name = os.environ.get("CPC_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"CPC_ENV must be one of {sorted(CONFIGS)}, not {name!r}")
    app.config.from_object(CONFIGS[name])
    if isinstance(override, dict):
        app.config.update(override)
    elif override is not None:
        app.config.from_object(override)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set (an environment variable) in production")
    if app.config["SCHEDULER"] not in SCHEDULER_MODES:
        raise RuntimeError(
            f"CPC_SCHEDULER must be one of {SCHEDULER_MODES}, not {app.config['SCHEDULER']!r}"
        )
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
