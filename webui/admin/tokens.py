"""Service accounts' API tokens: every token with its use, issuing one (the secret is shown
once, on the page the issue answers with) and revoking one."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import tokens
from engine.models.people import every_user
from engine.models.tokens import tokens_of
from engine.platform.errors import EngineError, NotFound

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp

EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, "never": None}


def _page(errors=None, issued=None, status=200):
    session = db()
    accounts = [u for u in every_user(session) if u.service_account and u.active]
    return render_template(
        "admin/tokens.html",
        title="Service accounts and API tokens",
        tokens=tokens_of(session),
        accounts=accounts,
        errors=errors or {},
        issued=issued,
        now=workflow().clock.now(),
    ), status


@bp.route("/tokens")
@login_required
def tokens_page():
    return _page()


@bp.route("/tokens", methods=["POST"])
@login_required
def issue_token():
    form = request.form
    errors = {}
    if form.get("expires") not in EXPIRY_DAYS:
        errors["expires"] = "Choose when the token stops working"
    if not form.get("account"):
        errors["account"] = "Choose the service account the token acts as"
    if errors:
        return _page(errors, status=400)
    now = workflow().clock.now()
    days = EXPIRY_DAYS[form["expires"]]
    try:
        token, secret = tokens.create(
            db(),
            form["account"],
            form.get("name", ""),
            g.user.username,
            now,
            expires_at=now + timedelta(days=days) if days else None,
            actor=g.user,
        )
    except EngineError as refused:
        return _page({"name": str(refused)}, status=400)
    return _page(issued=(token, secret))


@bp.route("/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    try:
        token = tokens.revoke(db(), token_id, g.user.username, workflow().clock.now(), g.user)
    except NotFound:
        raise
    except EngineError as refused:
        return _page({"token": str(refused)}, status=400)
    flash(f"The token “{token.name}” has been revoked: it is refused from now on.", "success")
    return redirect(url_for("admin.tokens_page"))
