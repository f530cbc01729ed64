"""The staff web application. `create_app` reads as the list of steps that build it."""

from __future__ import annotations

from flask import Flask

from . import (
    assets,
    cli,
    config,
    converters,
    errors,
    extensions,
    filters,
    input_text,
    logs,
    mail,
    navigation,
    redaction,
    request_json,
    request_timing,
    security,
)
from .accessibility import bp as accessibility_bp
from .account import bp as account_bp
from .admin import bp as admin_bp
from .api import bp as api_bp
from .audit import bp as audit_bp
from .auth import bp as auth_bp
from .auth import oidc
from .cases import bp as cases_bp
from .dashboard import bp as dashboard_bp
from .diagrams import bp as diagrams_bp
from .documents import bp as documents_bp
from .family import bp as family_bp
from .feedback import bp as feedback_bp
from .health import bp as health_bp
from .health import http_metrics
from .inbox import bp as inbox_bp
from .instances import bp as instances_bp
from .people import bp as people_bp
from .print_queue import bp as print_queue_bp
from .professional import bp as professional_bp
from .retention import bp as retention_bp
from .scheduler import bp as scheduler_bp
from .tasks import bp as tasks_bp

BLUEPRINTS = (
    health_bp,
    accessibility_bp,
    auth_bp,
    inbox_bp,
    tasks_bp,
    cases_bp,
    people_bp,
    documents_bp,
    family_bp,
    professional_bp,
    print_queue_bp,
    feedback_bp,
    instances_bp,
    diagrams_bp,
    dashboard_bp,
    scheduler_bp,
    account_bp,
    audit_bp,
    retention_bp,
    api_bp,
    admin_bp,
)


def create_app(config_override=None) -> Flask:
    app = Flask(__name__)
    config.load(app, config_override)
    request_json.init_app(app)
    converters.init_app(app)
    request_timing.init_app(app, logs.log_request, http_metrics.observe)
    logs.init_app(app)
    extensions.init_app(app)
    mail.init_app(app)
    assets.init_app(app)
    security.init_app(app)
    input_text.init_app(app)
    oidc.init_app(app)
    redaction.init_app(app)
    navigation.init_app(app)
    filters.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    cli.init_app(app)
    return app
