"""The task inbox: my tasks and my roles' pools, with claim, give back and reassign."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.access import access
from engine.models.drafts import drafted_task_ids
from engine.models.inbox import SCOPES, SORTS, InboxFilter, inbox_page
from engine.models.instances import ProcessInstance
from engine.models.people import users_with_role
from engine.platform.errors import EngineError
from engine.workflow import permissions

from ..auth.guard import login_required
from ..converters import whole_number
from ..errors import status_for
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
    return _page(request.args)


def _page(args, refusal: str | None = None, status: int = 200):
    """The inbox as `args` filter it; with `refusal`, the reason an action on it was refused."""
    session = db()
    today = workflow().clock.today()
    wanted = _wanted(args)
    condition = access.child_filter(g.user, ProcessInstance.child_id)
    found = inbox_page(session, g.user, wanted, today, condition)
    named = workflow().named_by_diagram(session, found.tasks)  # only a manager passes on
    mine = [t for t in found.tasks if t.assignee_id == g.user.id]
    kept = {t.id for t in mine} - workflow().may_go_back(session, mine)  # no pool for them
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
        can_unclaim=lambda t: permissions.can_unclaim(g.user, t, t.id in kept),
        can_reassign=lambda t: permissions.can_reassign(g.user, t, t.id in named),
        query=args.to_dict(),
        refusal=refusal,
    ), status


def _back():
    """Back where the form was (the inbox as it was filtered, or an instance page)."""
    target = request.form.get("back", "")
    local = target.startswith(("/inbox", "/instances/")) and "//" not in target
    return redirect(target if local else url_for("inbox.index"))


def _refused(problem: EngineError):
    """A refused claim, give-back or pass-on shows the page it came from again, its reason in
    an error summary, with the refusal's status; nothing was changed. From an instance page
    (a manager's pass-on) it goes back there with the reason."""
    target = urlsplit(request.form.get("back", ""))
    if target.path.startswith("/instances/") and "//" not in target.path:
        flash(str(problem), "error")
        return redirect(target.path)
    return _page(MultiDict(parse_qsl(target.query)), str(problem), status_for(problem))


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id):
    try:
        task = workflow().claim(db(), g.user, task_id)
    except EngineError as problem:
        return _refused(problem)
    flash(f"“{task.title}” is now assigned to you.", "success")
    return _back()


@bp.route("/tasks/<task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id):
    try:
        task = workflow().unclaim(db(), g.user, task_id)
    except EngineError as problem:
        return _refused(problem)
    flash(f"“{task.title}” is back with everyone who holds its role.", "success")
    return _back()


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id):
    username = request.form.get("colleague", "")
    try:
        task, colleague = workflow().pass_on(db(), g.user, task_id, username)
    except EngineError as problem:
        return _refused(problem)
    flash(f"“{task.title}” is now with {colleague.display_name}.", "success")
    return _back()
