"""Serve front-end packages straight from the npm packages installed at setup (never vendored).

GOV.UK Frontend has its own routes (the templates expect `/assets/...`); other packages are
served from an allow-list of their `dist` folders under `/vendor/<package>/...`.
"""

from __future__ import annotations

from flask import Flask, abort, send_from_directory

# package name → the folder inside it that may be served
VENDOR = {
    "bpmn-js": "dist",
}


def init_app(app: Flask) -> None:
    modules = app.config["FRONTEND_DIR"]
    root = modules / "govuk-frontend" / "dist" / "govuk"

    @app.route("/assets/<path:filename>", endpoint="govuk_assets")
    def govuk_assets(filename):
        return send_from_directory(root / "assets", filename, max_age=86400)

    @app.route(
        "/frontend/<any('govuk-frontend.min.css','govuk-frontend.min.js'):filename>",
        endpoint="govuk_frontend",
    )
    def govuk_frontend(filename):
        if not (root / filename).is_file():
            abort(404)
        return send_from_directory(root, filename, max_age=86400)

    @app.route("/vendor/<package>/<path:filename>", endpoint="vendor")
    def vendor(package, filename):
        if package not in VENDOR:
            abort(404)
        return send_from_directory(modules / package / VENDOR[package], filename, max_age=86400)
