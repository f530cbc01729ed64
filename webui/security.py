"""CSRF tokens on every form post and the response headers every page carries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import Flask, abort, current_app, request, session
from werkzeug.middleware.proxy_fix import ProxyFix

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PAGE_TEMPLATE = "govuk_frontend_jinja/template.html"
CSP = (
    "default-src 'self'; script-src 'self' {template_script}; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script[^>]*>(.*?)</script>", re.S)


def template_script_hash(app: Flask) -> str:
    """The CSP source allowing GOV.UK's page template's one inline script, and nothing else.

    The script (it marks the page as scripted before anything paints) is fixed text in the
    installed package's template, so its hash is taken from there: a new package version
    brings its own hash, and no other inline script, injected or not, can run.
    """
    source, _, _ = app.jinja_env.loader.get_source(app.jinja_env, PAGE_TEMPLATE)
    scripts = _INLINE_SCRIPT.findall(source)
    if len(scripts) != 1 or "{" in scripts[0]:
        raise RuntimeError(f"{PAGE_TEMPLATE}: expected one fixed inline script")
    digest = hashlib.sha256(scripts[0].encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _check_csrf() -> None:
    if request.method in SAFE_METHODS:
        return
    if request.blueprint == "api":
        # A browser never adds an Authorization header by itself, so a token request cannot be
        # forged; a request riding on the session cookie must be JSON, which a cross-site form
        # cannot send without a preflight.
        if "Authorization" not in request.headers and not request.is_json:
            abort(415)
        return
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "Your session has expired or the form was sent twice. Please try again.")


def _headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config["CSP"])
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint not in ("govuk_assets", "govuk_frontend", "vendor", "static"):
        # Overrides send_file's "no-cache": a download must not be kept on a shared computer.
        response.headers["Cache-Control"] = "no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS proxies, take the client address and https from X-Forwarded-*.

    Only then does a request that reached the TLS terminator over https count as secure
    (secure cookies, HSTS). With no proxy configured the headers are ignored: anyone could
    send them.
    """
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def init_app(app: Flask) -> None:
    trust_proxies(app)
    app.config["CSP"] = CSP.format(template_script=template_script_hash(app))
    app.before_request(_check_csrf)
    app.after_request(_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
