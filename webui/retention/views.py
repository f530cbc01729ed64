from __future__ import annotations

from flask import g, render_template

from engine.platform.errors import NotAllowed
from engine.reporting import retention
from engine.workflow import permissions

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


@bp.route("/retention")
@login_required
def index():
    if not permissions.can_read_audit(g.user):
        raise NotAllowed("Only administrators review records for retention.")
    today = workflow().clock.today()
    return render_template(
        "retention/index.html",
        title="Records due for retention review",
        records=retention.due_for_review(db(), today),
        years=retention.years(),
        cutoff=retention.cutoff(today),
    )
