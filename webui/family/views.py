"""Pages reached by a secure link: no account, no navigation, one form and the shared reports.

Nothing here reads the signed-in user; the token alone decides, through
`engine.family_links`, which refuses a made-up, used or expired token with a clear page. What
is read is read for the link's family member; the response is scrubbed for them as well.
"""

from __future__ import annotations

import io

from flask import render_template, request, send_file

from engine.casework import family_links
from forms import load, validate

from .. import redaction
from ..extensions import db, workflow
from . import bp


@bp.errorhandler(family_links.LinkRefused)
def refused(problem):
    status = 410 if problem.gone else 404
    return render_template(
        "family/refused.html", title="This link cannot be used", message=str(problem)
    ), status


def _open(session, token, now):
    opened = family_links.open_link(session, token, now)
    redaction.for_family_member(opened.link.person_id, opened.child_id)
    return opened


def _form_page(opened, values, errors=None, status=200):
    return render_template(
        "family/form.html",
        title=load(opened.form_key).title,
        opened=opened,
        form=load(opened.form_key),
        values=values,
        errors=errors.messages if errors else {},
        resolve=None,
        today=workflow().clock.today(),
    ), status


@bp.route("/family/<token>")
def open_form(token):
    opened = _open(db(), token, workflow().clock.now())
    return _form_page(opened, {})


@bp.route("/family/<token>", methods=["POST"])
def submit(token):
    session, now = db(), workflow().clock.now()
    opened = _open(session, token, now)
    definition = load(opened.form_key)
    data, errors = validate(definition, request.form, workflow().clock.today(), None)
    if errors:
        return _form_page(opened, request.form, errors, status=400)
    labels = {f.name: f.label for f in definition.fields}
    purpose = family_links.submit(session, token, data, labels, now, workflow())
    return render_template("family/done.html", title="Thank you", purpose=purpose)


@bp.route("/family/<token>/files/<id:file_id>")
def shared_file(token, file_id):
    found = family_links.shared_file(db(), token, file_id, workflow().clock.now())
    return send_file(
        io.BytesIO(found.content),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
    )
