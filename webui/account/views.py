from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import accounts, passwords
from engine.access.roles import label
from engine.models.people import NOTIFY_CHOICES

from ..auth.guard import login_required
from ..auth.next_path import safe_next
from ..auth.views import start_session
from ..extensions import db, workflow
from . import bp


@bp.route("/account")
@login_required
def show():
    return _render()


@bp.route("/account/notifications", methods=["POST"])
@login_required
def notifications():
    choice = request.form.get("notify", "")
    if choice not in NOTIFY_CHOICES:
        return _render(
            error="Choose how you want to hear about new tasks and reminders", status=400
        )
    accounts.set_notify(db(), g.user, choice, workflow().clock.now())
    flash("Your email settings have been saved.", "success")
    return redirect(url_for("account.show"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's password: every other session ends. A temporary password set by an
    administrator brings the person here before anything else (auth/guard.py)."""
    errors = {}
    if request.method == "POST":
        signed_in, errors = accounts.change_password(
            db(),
            g.user,
            request.form.get("current", ""),
            request.form.get("new", ""),
            workflow().clock.now(),
        )
        if signed_in is not None:
            start_session(signed_in)
            flash("Your password has been changed. You are signed out everywhere else.", "success")
            return redirect(safe_next(request.args.get("next")))
    return render_template(
        "account/password.html",
        title="Change your password",
        errors=errors,
        minimum=passwords.MINIMUM_LENGTH,
    ), (400 if errors else 200)


def _render(error: str | None = None, status: int = 200):
    return render_template(
        "account/show.html",
        title="Your account",
        choices=NOTIFY_CHOICES,
        roles=", ".join(label(r) for r in sorted(g.user.roles)),
        error=error,
    ), status
