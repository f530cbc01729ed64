"""Loading the signed-in user (session cookie, or an API token), the decorator that demands
one, and the one way a view refuses a signed-in user.

A refusal is the engine's `NotAllowed`, whose message is fit to show; `errors.py` turns it
into the 403 page, or the API's 403, in one place. Who is allowed is a predicate from
`engine.workflow.permissions`: views never list roles themselves.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from flask import Blueprint, current_app, g, redirect, request, session, url_for

from engine.access import sessions, tokens
from engine.models.people import User
from engine.platform.errors import NotAllowed

from ..extensions import db, workflow

# Probes and scrapers never sign in, and must answer even when the database does not.
NO_USER_BLUEPRINTS = frozenset({"health"})
# The cookie's one value: the secret of a session kept on the server.
SESSION_KEY = "sid"
# Where someone with a temporary password may go before choosing their own.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"account.password", "auth.sign_out", "static"})


def load_user() -> None:
    g.user = None
    g.token_error = None
    if request.blueprint in NO_USER_BLUEPRINTS:
        return
    header = request.headers.get("Authorization")
    if header is not None and request.blueprint == "api":
        _load_token_user(header)
        return
    secret = session.get(SESSION_KEY)
    if secret is not None:
        config = current_app.config
        g.user = sessions.current(
            db(),
            secret,
            workflow().clock.now(),
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            lifetime=timedelta(hours=config["SESSION_MAX_HOURS"]),
        )
        if g.user is None:
            session.clear()
        elif g.user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            g.must_change_password = True


def _load_token_user(header: str) -> None:
    """`Authorization: Bearer <token>`: the token's service account, or a reason it is not."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        g.token_error = "Send the API token as “Authorization: Bearer <token>”."
        return
    g.user = tokens.authenticate(db(), secret.strip(), workflow().clock.now())
    if g.user is None:
        g.token_error = "The API token is not valid: it is unknown, expired or revoked."


def login_required(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("user") is None:
            if request.blueprint == "api":
                message = g.get("token_error") or "Send an API token: “Authorization: Bearer …”."
                return (
                    {"error": message, "status": 401},
                    401,
                    {"WWW-Authenticate": 'Bearer realm="api"'},
                )
            return redirect(url_for("auth.sign_in", next=request.full_path))
        if g.get("must_change_password"):
            return redirect(url_for("account.password", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def require(allowed: Callable[[User], bool], refusal: str) -> None:
    """Go on only if the signed-in user is `allowed`; otherwise refuse, saying `refusal`."""
    if not allowed(g.user):
        raise NotAllowed(refusal)


def restrict(bp: Blueprint, allowed: Callable[[User], bool], refusal: str) -> None:
    """Every view of `bp` refuses a signed-in user who is not `allowed`.

    For a blueprint whose every page is for the same people, so a page added to it later
    cannot be left open. A signed-out request passes through to `login_required`, which
    sends it to sign in first.
    """

    @bp.before_request
    def _restricted():
        if g.get("user") is not None:
            require(allowed, refusal)
