"""Serve GOV.UK Frontend straight from the npm package installed at setup (never vendored)."""

from __future__ import annotations

from flask import Flask, abort, send_from_directory


def init_app(app: Flask) -> None:
    root = app.config["FRONTEND_DIR"] / "govuk-frontend" / "dist" / "govuk"

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
