"""Settings: a small class hierarchy chosen by one environment variable, CPC_ENV."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

HERE = Path(__file__).resolve().parent


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


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-a-secret")
    SHOW_DEMO_ACCOUNTS = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-a-secret"
    SHOW_DEMO_ACCOUNTS = True


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
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
