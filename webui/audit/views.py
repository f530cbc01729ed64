from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta

from flask import Response, g, render_template, request

from engine.access import audit_trail
from engine.models import audit
from engine.models.people import child_by_reference
from engine.platform.clock import LONDON
from engine.platform.db import transaction
from engine.platform.errors import InvalidValue

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp

PER_PAGE = 50
EXPORT_LIMIT = 50_000
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)  # the dates a search may name


def _day(name: str) -> tuple[date | None, str | None]:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None, None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, "Enter a date like 2026-11-23"
    if not FIRST_DAY <= day <= LAST_DAY:  # a search to the calendar's last day overflowed
        return None, f"Enter a date from {FIRST_DAY.year} to {LAST_DAY.year}"
    return day, None


def _filters() -> tuple[dict, dict]:
    """The search filters from the query string, and a message for each one that is wrong."""
    errors, filters = {}, {}
    if username := request.args.get("username", "").strip():
        filters["username"] = username
    if action := request.args.get("action", "").strip():
        filters["action"] = action
    if reference := request.args.get("child", "").strip():
        child = child_by_reference(db(), reference)
        if child is None:
            errors["child"] = "There is no child with that reference"
        else:
            filters["child_id"] = child.id
    for name, key, shift in (("from", "since", 0), ("to", "until", 1)):
        day, error = _day(name)
        if error:
            errors[name] = error
        elif day:
            filters[key] = datetime.combine(day + timedelta(days=shift), time(0), LONDON)
    return filters, errors


@bp.route("/audit")
@login_required
def index():
    filters, errors = _filters()
    page_number = whole_number(request.args.get("page", "1")) or 0
    if page_number < 1:
        errors["page"] = "There is no such page of the audit trail"
    found = audit.AuditPage([], 0)
    if not errors:
        offset = (page_number - 1) * PER_PAGE
        found = audit_trail.search(db(), g.user, **filters, limit=PER_PAGE, offset=offset)
    pages = max(1, -(-found.total // PER_PAGE))
    return render_template(
        "audit/index.html",
        title="Audit trail",
        events=found.events,
        total=found.total,
        page=page_number,
        pages=pages,
        args=request.args,
        errors=errors,
    ), (400 if errors else 200)


@bp.route("/audit.csv")
@login_required
def export():
    filters, errors = _filters()
    if errors:
        raise InvalidValue(errors)
    session = db()
    found = audit_trail.search(session, g.user, **filters, limit=EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at", "user", "action", "child_id", "instance_id", "task_id", "detail"])
    for event in found.events:
        writer.writerow(
            [
                event.at.isoformat(),
                event.actor_name,
                event.action,
                event.child_id or "",
                event.instance_id or "",
                event.task_id or "",
                _safe_cell(json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True)),
            ]
        )
    with transaction(session):
        audit.record(
            session, g.user, "audit.exported", workflow().clock.now(), rows=len(found.events)
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit.csv"},
    )


def _safe_cell(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: defuse them."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
