from __future__ import annotations

from flask import render_template

from engine.reporting import retention

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


@bp.route("/retention")
@login_required
def index():
    today = workflow().clock.today()
    return render_template(
        "retention/index.html",
        title="Records due for retention review",
        records=retention.due_for_review(db(), today),
        years=retention.years(),
        cutoff=retention.cutoff(today),
    )
