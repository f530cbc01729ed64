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


@bp.route("/dashboard/team-tasks")
@login_required
def team_tasks():
    teams = manager_views.teams(db())
    team = request.args.get("team") or g.user.team or (teams[0] if teams else "")
    rows = manager_views.team_tasks(db(), team, _condition()) if team else []
    return render_template(
        "dashboard/team_tasks.html",
        title=f"Waiting steps: {team}" if team else "Waiting steps",
        rows=rows,
        team=team,
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
    team = request.args.get("team") or g.user.team or (teams[0] if teams else "")
    until = today + timedelta(days=AHEAD_DAYS)
    rows = manager_views.falling_due(db(), team, today, until, _condition()) if team else []
    return render_template(
        "dashboard/coming.html",
        title=f"Due in the next four weeks: {team}" if team else "Due in the next four weeks",
        rows=rows,
        team=team,
        teams=teams,
        today=today,
        until=until,
    )
