"""Accounts: the list, adding one, and a person's page with what can be done to it."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from engine.access import administration, passwords, throttle
from engine.access.roles import ROLES, label
from engine.models.people import every_user
from engine.models.sign_ins import failures_since
from engine.platform.errors import EngineError

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


def _now():
    return workflow().clock.now()


@bp.route("")
@login_required
def index():
    return render_template("admin/index.html", title="Administration")


@bp.route("/users")
@login_required
def users():
    return render_template("admin/users.html", title="Users", users=every_user(db()), label=label)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():
    errors = {}
    if request.method == "POST":
        form = request.form
        created, errors = administration.create(
            db(),
            g.user,
            form.get("username", ""),
            form.get("display_name", ""),
            form.get("email", ""),
            form.getlist("roles"),
            form.get("team"),
            form.get("password", ""),
            _now(),
            service_account=form.get("service_account") == "yes",
        )
        if created is not None:
            flash(f"{created.display_name} ({created.username}) has been added.", "success")
            return redirect(url_for("admin.user", user_id=created.id))
    return render_template(
        "admin/user_new.html",
        title="Add a user",
        errors=errors,
        roles=ROLES,
        minimum=passwords.MINIMUM_LENGTH,
    ), (400 if errors else 200)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def user(user_id):
    session = db()
    target = administration.user(session, g.user, user_id)
    errors = {}
    if request.method == "POST":
        errors = administration.update(
            session,
            g.user,
            target,
            request.form.get("display_name", ""),
            request.form.get("email", ""),
            request.form.getlist("roles"),
            request.form.get("team"),
            _now(),
        )
        if not errors:
            flash(f"{target.display_name}'s details have been saved.", "success")
            return redirect(url_for("admin.user", user_id=target.id))
    return _user_page(target, errors)


def _user_page(target, errors, status=None):
    now = _now()
    held = failures_since(db(), now - throttle.WINDOW, client=None, username=target.username)
    return render_template(
        "admin/user.html",
        title=target.display_name,
        target=target,
        errors=errors,
        roles=ROLES,
        label=label,
        failed_recently=held,
        minimum=passwords.MINIMUM_LENGTH,
    ), status or (400 if errors else 200)


ACTIONS = {
    "deactivate": (administration.deactivate, "{name} has been deactivated and signed out."),
    "reactivate": (administration.reactivate, "{name} can sign in again."),
    "unlock": (administration.unlock, "{name} can try to sign in again from anywhere."),
    "sign-out": (administration.sign_out_everywhere, "{name} has been signed out everywhere."),
}


@bp.route("/users/<id:user_id>/<any(deactivate, reactivate, unlock, 'sign-out'):action>",
          methods=["POST"])  # fmt: skip
@login_required
def user_action(user_id, action):
    command, done = ACTIONS[action]
    return _on_user(user_id, command, "action", done)


@bp.route("/users/<id:user_id>/password", methods=["POST"])
@login_required
def user_password(user_id):
    done = (
        "{name} has a temporary password: tell them it, and they will choose their own when "
        "they next sign in. They have been signed out everywhere."
    )
    password = request.form.get("password", "")
    return _on_user(user_id, administration.set_temporary_password, "password", done, password)


@bp.route("/users/<id:user_id>/identity", methods=["POST"])
@login_required
def user_identity(user_id):
    subject = request.form.get("subject", "")
    done = "{name}'s council sign-in has been saved."
    return _on_user(user_id, administration.link_identity, "subject", done, subject)


def _on_user(user_id, command, field: str, done: str, *given):
    """Run one administration command on a person's account (with what the form gave); its
    refusal shows on their page beside `field`, and nothing changed."""
    session = db()
    target = administration.user(session, g.user, user_id)
    try:
        command(session, g.user, target, *given, _now())
    except EngineError as refused:
        return _user_page(target, {field: str(refused)}, status=400)
    flash(done.format(name=target.display_name), "success")
    return redirect(url_for("admin.user", user_id=target.id))
