"""Signing in and out. The session lives on the server (engine/access/sessions.py): the cookie
holds only its secret, so signing out ends it wherever the cookie was copied."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for

from engine.access import accounts, throttle
from engine.access.roles import label
from engine.models.people import User
from engine.platform import metrics

from ..extensions import db, workflow
from . import bp, oidc
from .guard import SESSION_KEY, load_user
from .next_path import safe_next

bp.before_app_request(load_user)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error, status, headers = None, 200, {}
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        signed_in = None
        try:
            if username and password:
                signed_in = accounts.sign_in(
                    db(),
                    username,
                    password,
                    workflow().clock.now(),
                    client=request.remote_addr or "unknown",
                    per_client=current_app.config["SIGN_IN_FAILURES_PER_CLIENT"],
                )
        except throttle.Throttled as refused:
            error, status = str(refused), 429
            headers["Retry-After"] = str(refused.retry_after)
        if signed_in is not None:
            start_session(signed_in)
            if signed_in.user.must_change_password:
                return redirect(
                    url_for("account.password", next=safe_next(request.args.get("next")))
                )
            return redirect(safe_next(request.args.get("next")))
        metrics.sign_in_failed()
        if error is None:
            error, status = "Enter a correct username and password", 400
    demo = []
    if current_app.config["SHOW_DEMO_ACCOUNTS"]:
        demo = [
            (u.username, ", ".join(label(r) for r in sorted(u.roles)))
            for u in db()
            .query(User)
            .filter(User.password_hash.isnot(None), User.active, ~User.must_change_password)
            .order_by(User.username)
        ]
    page = render_template("auth/sign_in.html", error=error, demo_accounts=demo)
    return page, status, headers


@bp.route("/sign-in/oidc")
def oidc_start():
    response, error = oidc.start()
    if response is None:
        return render_template("auth/sign_in.html", error=error, demo_accounts=[]), 503
    return response


@bp.route("/sign-in/oidc/callback")
def oidc_callback():
    signed_in, error = oidc.finish()
    if signed_in is None:
        return render_template("auth/sign_in.html", error=error, demo_accounts=[]), 400
    start_session(signed_in)
    return oidc.redirect_home()


def start_session(signed_in: accounts.SignedIn) -> None:
    """A fresh cookie for the new server session: nothing of the one before survives it."""
    session.clear()
    session[SESSION_KEY] = signed_in.session_secret
    session.permanent = True


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    secret = session.get(SESSION_KEY)
    if secret:
        accounts.sign_out(db(), secret, workflow().clock.now())
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
