from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import accounts
from engine.access.roles import label
from engine.models.people import NOTIFY_CHOICES

from ..auth.guard import login_required
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


def _render(error: str | None = None, status: int = 200):
    return render_template(
        "account/show.html",
        title="Your account",
        choices=NOTIFY_CHOICES,
        roles=", ".join(label(r) for r in sorted(g.user.roles)),
        error=error,
    ), status
