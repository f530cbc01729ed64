from __future__ import annotations

from flask import g, redirect, render_template, url_for

from engine.models.instances import inbox

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


@bp.route("/")
def home():
    return redirect(url_for("inbox.index"))


@bp.route("/inbox")
@login_required
def index():
    tasks = inbox(db(), g.user)
    today = workflow().clock.today()
    overdue = sum(1 for t in tasks if t.due_on and t.due_on < today)
    return render_template(
        "inbox/index.html", title="Your tasks", tasks=tasks, today=today, overdue=overdue
    )
