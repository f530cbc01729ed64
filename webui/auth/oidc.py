"""Sign in through the council's identity provider (OpenID Connect, e.g. Microsoft Entra ID).

Authlib does the protocol (discovery, state, nonce, code exchange, ID token checks); the
engine decides which account, if any, the verified identity is. Authlib is imported only by
an app that has a provider configured, so a worker without one does not carry it.
"""

from __future__ import annotations

from flask import Flask, abort, current_app, redirect, url_for

from engine.access import accounts

from ..extensions import db, workflow

UNREACHABLE = (
    "The council's sign-in service cannot be reached just now. "
    "Try again in a few minutes, or sign in with your username and password."
)


def enabled() -> bool:
    return bool(current_app.config.get("OIDC_METADATA_URL"))


def _provider():
    return current_app.extensions["cpc_oidc"].council


def init_app(app: Flask) -> None:
    if app.config.get("OIDC_METADATA_URL"):
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)  # one per app: each app has its own provider settings and caches
        app.extensions["cpc_oidc"] = oauth
        if not (app.config.get("OIDC_CLIENT_ID") and app.config.get("OIDC_CLIENT_SECRET")):
            raise RuntimeError("CPC_OIDC_CLIENT_ID and CPC_OIDC_CLIENT_SECRET must be set")
        oauth.register(
            "council",
            server_metadata_url=app.config["OIDC_METADATA_URL"],
            client_id=app.config["OIDC_CLIENT_ID"],
            client_secret=app.config["OIDC_CLIENT_SECRET"],
            client_kwargs={"scope": "openid profile email"},
        )
    app.jinja_env.globals["oidc_enabled"] = enabled


def start():
    """A redirect to the provider, or (None, message) when it cannot be reached."""
    if not enabled():
        abort(404)
    from requests import RequestException

    try:
        return _provider().authorize_redirect(url_for("auth.oidc_callback", _external=True)), None
    except RequestException:
        return None, UNREACHABLE


def finish():
    """The verified identity's account, or an error message fit to show."""
    if not enabled():
        abort(404)
    from authlib.integrations.base_client.errors import OAuthError
    from requests import RequestException

    try:
        token = _provider().authorize_access_token()
    except OAuthError as exc:
        return None, f"Signing in with your council account did not work ({exc.error})."
    except RequestException:
        return None, UNREACHABLE
    claims = token.get("userinfo") or {}
    # Entra ID's `oid` names the person across the tenant and never changes; `sub` is the
    # standard's immutable subject. A username claim can be reassigned: never used here.
    subject = claims.get("oid") or claims.get("sub")
    if not subject or not isinstance(subject, str):
        return None, "Your council account did not say who you are. Try again."
    signed_in = accounts.sign_in_external(db(), subject, workflow().clock.now())
    return signed_in, None


def redirect_home():
    return redirect(url_for("inbox.index"))
