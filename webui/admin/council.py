"""Council settings: the validated form, saved as a new version with a reason, and the
versions before it (engine/access/settings_changes.py checks, saves and audits)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import settings_changes
from engine.models import council_settings
from engine.platform import settings

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings_page():
    session = db()
    errors = {}
    if request.method == "POST":
        form = {k: request.form[k] for k in settings_changes.editable() if k in request.form}
        version, errors = settings_changes.change(
            session, g.user, form, request.form.get("reason", ""), workflow().clock.now()
        )
        if version is not None:
            flash(
                f"Version {version.id} of the council settings is in use. Steps computed from "
                "now on use it; dates already set stay as they are.",
                "success",
            )
            return redirect(url_for("admin.settings_page"))
    current = settings.current()
    values = {
        k: request.form.get(k, "") if errors and k in request.form else settings_changes.shown(v)
        for k, v in current.items()
    }
    return render_template(
        "admin/settings.html",
        title="Council settings",
        keys=settings_changes.editable(),
        values=values,
        label=settings_changes.label,
        errors=errors,
        reason=request.form.get("reason", "") if errors else "",
        versions=council_settings.versions(session),
        shown=settings_changes.shown,
        file=settings.settings_file(),
    ), (400 if errors else 200)
