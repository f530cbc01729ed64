"""Recording brothers and sisters on a child's record: `family_conferences.link_siblings`."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from engine.access import access
from engine.casework import family_conferences
from engine.models.people import child_by_reference
from engine.platform.errors import InvalidValue, NotAllowed

from ..auth.guard import login_required
from ..extensions import db, workflow
from . import bp


@bp.route("/children/<id:child_id>/siblings", methods=["POST"])
@login_required
def link_sibling(child_id):
    session = db()
    child, level = access.require_child(session, g.user, child_id)
    if level is not access.Level.FULL or not family_conferences.may_link(g.user):
        raise NotAllowed("Only staff working on the child's case can record brothers and sisters.")
    reference = request.form.get("sibling_reference", "").strip()
    sibling = child_by_reference(session, reference) if reference else None
    if sibling is None or not access.can_view_child(session, g.user, sibling.id):
        raise InvalidValue(
            {"sibling_reference": "Enter the reference of a brother's or sister's record, "
             "like C000012"}
        )  # fmt: skip
    family_conferences.link_siblings(session, g.user, workflow().clock.now(), child.id, sibling.id)
    flash(f"{sibling.full_name} is recorded as {child.full_name}'s brother or sister.", "success")
    return redirect(url_for("cases.show", child_id=child.id))
