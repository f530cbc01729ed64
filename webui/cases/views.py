from __future__ import annotations

from datetime import date

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import access, withholding
from engine.casework import cases, family_conferences, timeline
from engine.diagrams import projection
from engine.models import catalogue
from engine.models.conferences import CATEGORIES
from engine.models.instances import instances_for_child, tasks_of_instances
from engine.models.people import Child, all_children, user_by_username
from engine.models.processes import latest_version
from engine.workflow import permissions
from forms import parse, validate

from ..auth.guard import login_required, require
from ..extensions import db, workflow
from ..tasks.formdata import options_resolver
from . import bp

CHILD_FORM = parse(
    "cases/add_child",
    {
        "title": "Add a child",
        "fields": [
            {
                "name": "given_name",
                "type": "text",
                "label": "Given name",
                "required": True,
                "column": "children.given_name",
            },
            {
                "name": "family_name",
                "type": "text",
                "label": "Family name",
                "required": True,
                "column": "children.family_name",
            },
            {
                "name": "date_of_birth",
                "type": "date",
                "label": "Date of birth",
                "hint": "Leave blank for an unborn child. For example, 27 3 2019",
                "rules": ["not_future"],
            },
            {
                "name": "expected_date_of_birth",
                "type": "date",
                "label": "Expected date of birth",
                "hint": "Only for an unborn child. For example, 14 8 2027",
                "rules": ["not_past"],
            },
            {
                "name": "social_worker",
                "type": "select",
                "label": "Allocated social worker",
                "required": True,
                "options_from": "users:social_worker",
            },
        ],
    },
)


@bp.route("/children")
@login_required
def index():
    return render_template(
        "cases/index.html",
        title="Children",
        children=all_children(db(), access.child_filter(g.user, Child.id)),
        can_add=permissions.can_start(g.user),
    )


@bp.route("/children/<id:child_id>")
@login_required
def show(child_id):
    session = db()
    child, level = access.open_child(session, g.user, child_id, workflow().clock.now(), "case page")
    today = workflow().clock.today()
    withheld = withholding.values_hidden_from(session, g.user, child.id)
    if level is access.Level.INVITED:
        return render_template(
            "cases/invited.html",
            title=child.full_name,
            child=child,
            story=timeline.for_invited(session, child.id, g.user.id, withheld),
            today=today,
        )
    instances = instances_for_child(session, child.id)
    tasks = tasks_of_instances(session, [i.id for i in instances])
    story = timeline.for_child(session, child.id, withheld)
    review_on, review_on_error = _review_on(request.args.get("review_on"))
    return render_template(
        "cases/show.html",
        title=child.full_name,
        child=child,
        instances=instances,
        tasks=tasks,
        summary=story.summary,
        story=story,
        people=withholding.people_for(session, g.user, child.id),
        siblings=family_conferences.visible_siblings(session, g.user, child),
        may_link_siblings=level is access.Level.FULL and family_conferences.may_link(g.user),
        can_withhold=withholding.can_withhold(session, g.user, child.id),
        can_add_people=permissions.can_start(g.user) and level is access.Level.FULL,
        conference_types=cases.CONFERENCE_TYPES,
        categories=CATEGORIES,
        can_start=permissions.can_start(g.user),
        optional_processes=[
            latest_version(session, p) for p in catalogue.child_page_processes(session)
        ],
        level=level.value,
        today=today,
        ahead=projection.plan_ahead(session, child, review_on),
        review_on=review_on,
        review_on_error=review_on_error,
    )


def _review_on(text: str | None) -> tuple[date | None, str | None]:
    """The "what if the review were held on" date asked for, or why it cannot be read."""
    if not text:
        return None, None
    try:
        return date.fromisoformat(text.strip()), None
    except ValueError:
        return None, "Enter the date like 2027-04-20."


@bp.route("/children/<id:child_id>/start", methods=["POST"])
@login_required
def start(child_id):
    conference_type = request.form.get("conference_type", "icpc")
    instance = cases.start_conference(db(), workflow(), g.user, child_id, conference_type)
    label = cases.CONFERENCE_TYPES[conference_type]
    flash(f"{label} started: case {instance.reference}.", "success")
    return redirect(url_for("cases.show", child_id=child_id))


@bp.route("/children/<id:child_id>/start-process", methods=["POST"])
@login_required
def start_process(child_id):
    """A process a process owner made to start from a child's page (a Children's Meeting)."""
    process_id = request.form.get("process_id", "")
    instance = cases.start_from_child_page(db(), workflow(), g.user, child_id, process_id)
    flash(f"{instance.version.name} started: case {instance.reference}.", "success")
    return redirect(url_for("cases.show", child_id=child_id))


@bp.route("/children/<id:child_id>/end-plan", methods=["POST"])
@login_required
def end_plan(child_id):
    instance = cases.start_plan_ending(db(), workflow(), g.user, child_id)
    flash(
        f"The plan's ending is recorded for agreement: case {instance.reference}. "
        "Give the reason in your tasks.",
        "success",
    )
    return redirect(url_for("cases.show", child_id=child_id))


@bp.route("/children/new", methods=["GET", "POST"])
@login_required
def add():
    require(permissions.can_start, "Only social workers and managers can add a child.")
    errors = {}
    values = request.form
    resolve = options_resolver(db())
    if request.method == "POST":
        data, problems = validate(CHILD_FORM, request.form, workflow().clock.today(), resolve)
        if not problems and ("date_of_birth" in data) == ("expected_date_of_birth" in data):
            problems.add(
                "date_of_birth",
                "Enter the date of birth, or the expected date of birth for an unborn child",
            )
        if not problems:
            child = cases.add_child(
                db(),
                workflow(),
                g.user,
                data["given_name"],
                data["family_name"],
                _as_date(data.get("date_of_birth")),
                user_by_username(db(), data["social_worker"]),
                _as_date(data.get("expected_date_of_birth")),
            )
            flash(f"{child.full_name} has been added with reference {child.reference}.", "success")
            return redirect(url_for("cases.show", child_id=child.id))
        errors = problems.messages
    return render_template(
        "cases/add.html",
        title="Add a child",
        form=CHILD_FORM,
        values=values,
        errors=errors,
        resolve=resolve,
    ), (400 if errors else 200)


def _as_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
