"""Managers' work views, one click from the dashboard: what is overdue now and with whom,
why steps were late, what was escalated to me, and a team's waiting steps.

Each page reads one query of `engine.models.manager_views` through the manager's access
condition; none repeats a rule of the engine's.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import g, render_template, request

from engine.access import access
from engine.models import manager_views
from engine.models import teams as team_names
from engine.models.people import Child
from forms.definitions import load as load_form

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp
from .views import _period

STEPS = {  # the late steps' names as the diagrams record them
    "conference_held": "Conference held",
    "review_held": "Review held",
    "report_shared": "Report shared with the parents",
    "decision_letter": "Decision letter sent",
    "minutes": "Minutes sent",
    "core_group": "Core group met",
}


def _condition():
    return access.child_filter(g.user, Child.id)


def _reasons() -> dict[str, str]:
    field = next(f for f in load_form("conference/agree_late_reason").fields)
    return {o["value"]: o["text"] for o in field.options}


def _days_late(today: date, due: date) -> int:
    return (today - due).days


@bp.route("/dashboard/overdue")
@login_required
def overdue():
    today = workflow().clock.today()
    team = request.args.get("team") or None
    rows = manager_views.overdue_now(db(), today, team, _condition())
    return render_template(
        "dashboard/overdue.html",
        title="Overdue now",
        rows=rows,
        team=team,
        today=today,
        days_late=_days_late,
        teams=manager_views.teams(db()),
    )


@bp.route("/dashboard/late-reasons")
@login_required
def late_reasons():
    today = workflow().clock.today()
    start, end, problem = _period(request.args, today)
    rows = manager_views.late_reasons(db(), start, end, _condition())
    return render_template(
        "dashboard/late_reasons.html",
        title="Why steps were late",
        rows=rows,
        steps=STEPS,
        reasons=_reasons(),
        start=start,
        end=end,
        error=problem,
        period={"from": start.isoformat(), "to": end.isoformat()},
    )


@bp.route("/dashboard/escalations")
@login_required
def escalations():
    rows = manager_views.escalations_to(db(), set(g.user.roles), _condition())
    return render_template(
        "dashboard/escalations.html",
        title="Escalated to you",
        open_rows=[r for r in rows if r.open],
        done_rows=[r for r in rows if not r.open],
    )


def _chosen_teams(teams: list[str]) -> tuple[str, list[str], str | None]:
    """(the team asked for or "", the teams to show, the "all" choice's label): the one asked
    for, else every team the manager manages, else their own, else the first."""
    asked = request.args.get("team") or ""
    mine = team_names.managed_by(db(), g.user)
    if asked:
        return asked, [asked], "All my teams" if len(mine) > 1 else None
    if mine:
        return "", mine, "All my teams" if len(mine) > 1 else None
    own = g.user.team or (teams[0] if teams else "")
    return own, [own] if own else [], None


@bp.route("/dashboard/team-tasks")
@login_required
def team_tasks():
    teams = manager_views.teams(db())
    team, shown, every = _chosen_teams(teams)
    rows = manager_views.team_tasks(db(), shown, _condition()) if shown else []
    return render_template(
        "dashboard/team_tasks.html",
        title=f"Waiting steps: {', '.join(shown)}" if shown else "Waiting steps",
        rows=rows,
        team=team,
        every=every,
        teams=teams,
        today=workflow().clock.today(),
        days_late=_days_late,
    )


AHEAD_DAYS = 28  # "the next four weeks"


@bp.route("/dashboard/coming")
@login_required
def coming():
    today = workflow().clock.today()
    teams = manager_views.teams(db())
    team, shown, every = _chosen_teams(teams)
    until = today + timedelta(days=AHEAD_DAYS)
    rows = manager_views.falling_due(db(), shown, today, until, _condition()) if shown else []
    title = "Due in the next four weeks"
    return render_template(
        "dashboard/coming.html",
        title=f"{title}: {', '.join(shown)}" if shown else title,
        rows=rows,
        team=team,
        every=every,
        teams=teams,
        today=today,
        until=until,
    )
