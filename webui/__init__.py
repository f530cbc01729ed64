"""The staff web application. `create_app` reads as the list of steps that build it."""

from __future__ import annotations

from flask import Flask

from . import (
    assets,
    cli,
    config,
    errors,
    extensions,
    filters,
    mail,
    navigation,
    security,
)
from .account import bp as account_bp
from .api import bp as api_bp
from .auth import bp as auth_bp
from .cases import bp as cases_bp
from .inbox import bp as inbox_bp
from .instances import bp as instances_bp
from .scheduler import bp as scheduler_bp
from .tasks import bp as tasks_bp

BLUEPRINTS = (
    auth_bp,
    inbox_bp,
    tasks_bp,
    cases_bp,
    instances_bp,
    scheduler_bp,
    account_bp,
    api_bp,
)


def create_app(config_override=None) -> Flask:
    app = Flask(__name__)
    config.load(app, config_override)
    extensions.init_app(app)
    mail.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    navigation.init_app(app)
    filters.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    cli.init_app(app)
    return app
