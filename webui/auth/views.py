from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from engine.access import accounts
from engine.access.roles import label
from engine.models import audit
from engine.models.people import User
from engine.platform import metrics
from engine.platform.db import transaction

from ..extensions import db, workflow
from . import bp, oidc
from .guard import load_user

bp.before_app_request(load_user)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        try:
            user = (
                accounts.sign_in(db(), username, password, workflow().clock.now())
                if username and password
                else None
            )
        except accounts.AccountLocked as locked:
            user, error = None, str(locked)
        if user is None:
            metrics.sign_in_failed()
            error = error or "Enter a correct username and password"
        else:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
    demo = []
    if current_app.config["SHOW_DEMO_ACCOUNTS"]:
        demo = [
            (u.username, ", ".join(label(r) for r in sorted(u.roles)))
            for u in db().query(User).filter(User.password_hash.isnot(None)).order_by(User.username)
        ]
    status = 200 if error is None else 400
    return render_template("auth/sign_in.html", error=error, demo_accounts=demo), status


@bp.route("/sign-in/oidc")
def oidc_start():
    response, error = oidc.start()
    if response is None:
        return render_template("auth/sign_in.html", error=error, demo_accounts=[]), 503
    return response


@bp.route("/sign-in/oidc/callback")
def oidc_callback():
    user, error = oidc.finish()
    if user is None:
        return render_template("auth/sign_in.html", error=error, demo_accounts=[]), 400
    start_session(user)
    return oidc.redirect_home()


def start_session(user: User) -> None:
    """A fresh session for the signed-in person: nothing of the one before survives it."""
    session.clear()
    session["user_id"] = user.id
    session.permanent = True


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    if g.user is not None:
        with transaction(db()):
            audit.record(db(), g.user, "user.signed_out", workflow().clock.now())
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
