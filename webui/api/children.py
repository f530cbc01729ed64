"""Children and their cases: the list, the case summary, conferences, plans, and the CIN
census extract. Access is the case pages' (engine/access/access.py): a child's record needs access
to that child; an agency professional sees only the conferences they were invited to
(`case_summary.for_reader`, as the case page); plans and people need full access; the census
is for managers."""

from __future__ import annotations

from datetime import date

from flask import g, request

from engine.access import access, withholding
from engine.casework import case_summary
from engine.diagrams import projection
from engine.models import audit
from engine.models.instances import instances_for_child, tasks_of_instances
from engine.models.people import Child, all_children
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue, NotAllowed
from engine.reporting import census
from engine.workflow import permissions

from ..auth.guard import login_required, require
from ..extensions import db, workflow
from . import bp, shapes
from .requests import page, query_int


def _now():
    return workflow().clock.now()


@bp.route("/children")
@login_required
def children():
    limit, offset = page()
    found = all_children(db(), access.child_filter(g.user, Child.id), limit, offset)
    return {"children": [shapes.child(c) for c in found], "limit": limit, "offset": offset}


@bp.route("/children/<id:child_id>")
@login_required
def child(child_id):
    session = db()
    found, level = access.open_child(session, g.user, child_id, _now(), "api case summary")
    full = level is access.Level.FULL
    instances = instances_for_child(session, child_id) if full else []
    tasks = tasks_of_instances(session, [i.id for i in instances])
    withheld = withholding.values_hidden_from(session, g.user, child_id)
    summary = case_summary.for_reader(session, child_id, g.user.id, full, withheld)
    return shapes.summary(found, summary, instances, tasks, full)


@bp.route("/children/<id:child_id>/conferences")
@login_required
def conferences(child_id):
    session = db()
    _found, level = access.open_child(session, g.user, child_id, _now(), "api conferences")
    seen = case_summary.for_reader(session, child_id, g.user.id, level is access.Level.FULL)
    return {"conferences": [shapes.conference(c) for c in seen.conferences]}


@bp.route("/children/<id:child_id>/plans")
@login_required
def plans(child_id):
    session = db()
    _found, level = access.open_child(session, g.user, child_id, _now(), "api plans")
    if level is not access.Level.FULL:
        raise NotAllowed("Plans are shown to staff with full access to this child's record.")
    withheld = withholding.values_hidden_from(session, g.user, child_id)
    summary = case_summary.as_read(case_summary.for_child(session, child_id), withheld)
    return {"plans": [shapes.plan(p, summary) for p in summary.plans]}


WHAT_IF_DAYS = 5 * 366  # "what if the review were held on…" asks of a real plan's years


@bp.route("/children/<id:child_id>/ahead")
@login_required
def ahead(child_id):
    """Every statutory date ahead for the child's current plan, projected by the deployed
    diagrams; `review_on` asks what follows if the review were held on that date."""
    session = db()
    found, level = access.open_child(session, g.user, child_id, _now(), "api dates ahead")
    if level is not access.Level.FULL:
        raise NotAllowed("Plans are shown to staff with full access to this child's record.")
    text = request.args.get("review_on")
    try:
        review_on = date.fromisoformat(text) if text else None
    except ValueError:
        raise InvalidValue({"review_on": "Enter the date like 2027-04-20."}) from None
    if review_on is not None and abs((review_on - workflow().clock.today()).days) > WHAT_IF_DAYS:
        raise InvalidValue({"review_on": "Enter a date within five years of today."})
    dates = projection.plan_ahead(session, found, review_on)
    return {
        "review_on": review_on.isoformat() if review_on else None,
        "dates": [
            {"date": a.on.isoformat(), "what": a.what, "projected": a.projected} for a in dates
        ],
    }


@bp.route("/census/child-protection-plans")
@login_required
def census_plans():
    """The CIN census child protection items: managers, for the children they may see."""
    require(permissions.can_manage_instances, "The census extract is for managers.")
    year = census.census_year(query_int("year", None, 1, 9999), workflow().clock.today())
    session = db()
    items = census.as_records(census.collect(session, year, access.child_filter(g.user, Child.id)))
    rows = len(items["section47"]) + len(items["plans"])
    with transaction(session):
        audit.record(session, g.user, "census.exported", _now(), year=year.end.year, rows=rows)
    return {
        "census_year": year.end.year,
        "period_start": year.start.isoformat(),
        "period_end": year.end.isoformat(),
        **items,
    }
