"""Teams: the list with each team's managers and people, adding a team, and choosing who
manages it (engine/access/team_admin.py)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import team_admin
from engine.models import teams
from engine.models.people import every_user

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp


def _page(errors=None):
    session = db()
    managers = [u for u in every_user(session) if u.active and u.has_role(teams.TEAM_MANAGER)]
    return render_template(
        "admin/teams.html",
        title="Teams",
        teams=teams.overview(session),
        possible_managers=managers,
        errors=errors or {},
    ), (400 if errors else 200)


@bp.route("/teams")
@login_required
def teams_page():
    return _page()


@bp.route("/teams", methods=["POST"])
@login_required
def add_team():
    name = request.form.get("name", "")
    errors = team_admin.add(db(), g.user, name, workflow().clock.now())
    if errors:
        return _page(errors)
    flash(f"The team “{' '.join(name.split())}” has been added.", "success")
    return redirect(url_for("admin.teams_page"))


@bp.route("/teams/<id:team_id>/managers", methods=["POST"])
@login_required
def team_managers(team_id):
    chosen = [whole_number(v) for v in request.form.getlist("managers")]
    if any(v is None for v in chosen):
        return _page({f"managers-{team_id}": "Choose managers from the team managers listed"})
    errors = team_admin.set_managers(db(), g.user, team_id, chosen, workflow().clock.now())
    if errors:
        return _page(errors)
    flash("The team's managers have been saved.", "success")
    return redirect(url_for("admin.teams_page"))
