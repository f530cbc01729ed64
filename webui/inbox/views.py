"""The task inbox: my tasks and my roles' pools, with claim, give back and reassign."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import access
from engine.models.drafts import drafted_task_ids
from engine.models.inbox import SCOPES, SORTS, InboxFilter, inbox_page
from engine.models.instances import ProcessInstance
from engine.models.people import users_with_role
from engine.workflow import permissions

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp

SORT_LABELS = {
    "due": "Due date, soonest first",
    "due_desc": "Due date, latest first",
    "child": "Child's name",
    "step": "Step",
    "newest": "Newest first",
}


def _wanted(args) -> InboxFilter:
    page = args.get("page", "1")
    return InboxFilter(
        scope=args.get("scope") if args.get("scope") in SCOPES else "all",
        process=args.get("process") or None,
        step=args.get("step") or None,
        child=(args.get("child") or "").strip()[:100] or None,
        overdue=args.get("overdue") == "yes",
        sort=args.get("sort") if args.get("sort") in SORTS else "due",
        page=whole_number(page) or 1,
    )


@bp.route("/")
def home():
    return redirect(url_for("inbox.index"))


@bp.route("/inbox")
@login_required
def index():
    session = db()
    today = workflow().clock.today()
    wanted = _wanted(request.args)
    condition = access.child_filter(g.user, ProcessInstance.child_id)
    found = inbox_page(session, g.user, wanted, today, condition)
    colleagues = {
        role: [u for u in users_with_role(session, role) if u.id != g.user.id]
        for role in {t.role for t in found.tasks if t.role}
    }
    return render_template(
        "inbox/index.html",
        title="Your tasks",
        found=found,
        wanted=wanted,
        scopes=SCOPES,
        sorts=SORT_LABELS,
        today=today,
        drafts=drafted_task_ids(session, g.user.id, [t.id for t in found.tasks]),
        colleagues=colleagues,
        can_claim=lambda t: permissions.can_claim(g.user, t),
        can_unclaim=lambda t: permissions.can_unclaim(g.user, t),
        can_reassign=lambda t: permissions.can_reassign(g.user, t),
        query=request.args.to_dict(),
    )


def _back():
    """Back where the form was (the inbox as it was filtered, or an instance page)."""
    target = request.form.get("back", "")
    local = target.startswith(("/inbox", "/instances/")) and "//" not in target
    return redirect(target if local else url_for("inbox.index"))


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    task = workflow().claim(db(), g.user, task_id)
    flash(f"“{task.title}” is now assigned to you.", "success")
    return _back()


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id):
    task = workflow().unclaim(db(), g.user, task_id)
    flash(f"“{task.title}” is back with everyone who holds its role.", "success")
    return _back()


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id):
    username = request.form.get("colleague", "")
    task, colleague = workflow().pass_on(db(), g.user, task_id, username)
    flash(f"“{task.title}” is now with {colleague.display_name}.", "success")
    return _back()
