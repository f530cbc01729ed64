"""The API's own description, who is calling, and the deployed process definitions."""

from __future__ import annotations

from flask import g

from engine.casework import cases
from engine.models import teams
from engine.models.processes import latest_versions, versions_of
from engine.platform.errors import NotFound

from ..auth.guard import login_required
from ..extensions import db
from . import bp, shapes
from .openapi import document


@bp.route("/openapi.json")
def openapi():
    """Public: the description of the API holds no case data."""
    return document()


@bp.route("/me")
@login_required
def me():
    return {
        "username": g.user.username,
        "display_name": g.user.display_name,
        "roles": sorted(g.user.roles),
        "team": g.user.team,
        "manages_teams": teams.managed_by(db(), g.user),  # a team manager's own and more
        "service_account": g.user.service_account,
    }


@bp.route("/processes")
@login_required
def processes():
    """The deployed processes, each with how it starts (`started`): "child" for the ones
    POST /instances starts for a child, "diagram" for those only a diagram's step starts,
    "retired" for those nothing may start."""
    session = db()
    found = latest_versions(session)
    started = cases.how_started(session, [v.process_id for v in found])
    return {"processes": [{**shapes.version(v), "started": started[v.process_id]} for v in found]}


@bp.route("/processes/<process_id>/versions")
@login_required
def versions(process_id):
    found = versions_of(db(), process_id)
    if not found:
        raise NotFound(f"No process “{process_id}” has been deployed.")
    return {"versions": [shapes.version(v) for v in found]}
