"""Conference page, document downloads, report files and family links.

Every route starts from `engine.access`: `require_conference` (full access, or an agency
professional invited to this conference), `require_report` (full access, or the report's own
author), `require_conference_staff` (staff on the case only: issuing family links).
"""

from __future__ import annotations

import io

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from engine.access import access, withholding
from engine.casework import (
    conference_requests,
    corrections,
    family_conferences,
    family_links,
    rescheduling,
)
from engine.documents import antivirus, conference_documents, report_files
from engine.documents import sending as documents
from engine.models.base import fetch
from engine.models.documents import ReportFile
from engine.platform.errors import EngineError, InvalidValue, NotAllowed, NotFound

from ..auth.guard import login_required
from ..converters import whole_number
from ..extensions import db, workflow
from . import bp

UPLOAD_MARGIN = 64 * 1024  # the form's own fields around the file


@bp.url_value_preprocessor
def _allow_report_files(endpoint, _values):
    """Report files may be larger than an ordinary form: raise the limit for the upload route
    before anything (the CSRF check) reads the body."""
    if endpoint == "documents.upload":
        request.max_content_length = report_files.max_bytes() + UPLOAD_MARGIN


def _page(conference, level, errors=None, values=None, status=200):
    session = db()
    return render_template(
        "documents/show.html",
        title=f"{conference.kind_label}: documents and reports",
        page=conference_documents.overview(session, g.user, conference, level),
        can_raise=conference.held_on is None
        and conference_requests.can_raise(session, g.user, conference, level),
        can_decide=withholding.can_withhold(session, g.user, conference.child_id),
        purposes=family_links.PURPOSES,
        errors=errors or {},
        values=values or {},
        max_megabytes=report_files.max_bytes() // (1024 * 1024),
        now=workflow().clock.now(),
        may_move=level is access.Level.FULL and rescheduling.may_reschedule(g.user, conference),
        may_correct=level is access.Level.FULL and corrections.may_correct(g.user, conference),
        family=family_conferences.for_page(session, g.user, conference),
    ), status


@bp.route("/conferences/<id:conference_id>")
@login_required
def show(conference_id):
    conference, level = access.require_conference(db(), g.user, conference_id)
    return _page(conference, level)


@bp.route("/conferences/<id:conference_id>/documents/<kind>.<file_format>")
@login_required
def download(conference_id, kind, file_format):
    session = db()
    conference, _level = access.require_conference(session, g.user, conference_id)
    produced = documents.produce(
        session, g.user, conference, kind, file_format, workflow().clock.now()
    )
    return _sent(produced, file_format)


@bp.route("/conferences/<id:conference_id>/family-documents/<id:record_id>.<file_format>")
@login_required
def family_document(conference_id, record_id, file_format):
    """A family conference's document as it was sent, in the reader's own copy."""
    session = db()
    conference, _level = access.require_conference(session, g.user, conference_id)
    produced = documents.produce_sent(
        session, g.user, conference, record_id, file_format, workflow().clock.now()
    )
    return _sent(produced, file_format)


@bp.route("/conferences/<id:conference_id>/documents/<kind>/for/<id:person_id>.<file_format>")
@login_required
def posted_copy(conference_id, kind, person_id, file_format):
    """The copy to post to one person invited: redacted for them, and of what is withheld
    from the member of staff printing it (`document_redaction.for_posting`)."""
    session = db()
    conference = access.require_conference_staff(session, g.user, conference_id)
    produced = documents.produce_copy(
        session, g.user, conference, kind, file_format, person_id, workflow().clock.now()
    )
    return _sent(produced, file_format)


@bp.route("/report-files/<id:file_id>")
@login_required
def report_file(file_id):
    session = db()
    found = fetch(session, ReportFile, file_id, "There is no such file.")
    access.require_report(session, g.user, found.report_id)
    withholding.require_file(session, g.user, found.id)
    return send_file(
        io.BytesIO(found.content),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=withholding.file_name_for(session, g.user, found),
    )


@bp.route("/reports/<id:report_id>/files", methods=["POST"])
@login_required
def upload(report_id):
    session = db()
    report, level = access.require_report(session, g.user, report_id)
    sent = request.files.get("report_file")
    conference, _ = access.require_conference(session, g.user, report.conference_id)
    try:
        report_files.upload(
            session,
            g.user,
            report,
            sent.filename if sent else "",
            sent.read() if sent else b"",
            workflow().clock.now(),
            scanner=antivirus.scanner(
                current_app.config.get("CLAMD_ADDRESS"), current_app.config["CLAMD_TIMEOUT"]
            ),
        )
    except EngineError as problem:
        session.rollback()
        status = 503 if isinstance(problem, antivirus.ScannerUnavailable) else 400
        return _page(conference, level, {f"report_file_{report.id}": str(problem)}, status=status)
    flash("The file has been added to the report.", "success")
    return redirect(url_for("documents.show", conference_id=conference.id))


REQUEST_FIELDS = ("kind", "details", "person", "field", "report", "passage", "withheld_from")
DECISION_FIELDS = ("request_id", "decision", "reason", "excluded_from")


@bp.route("/conferences/<id:conference_id>/requests", methods=["POST"])
@login_required
def raise_request(conference_id):
    """A request to exclude someone or withhold information, any time before the conference."""
    session = db()
    values = {k: request.form.get(k, "") for k in REQUEST_FIELDS}
    return _request_command(
        conference_id,
        values,
        lambda now: conference_requests.raise_request(session, g.user, conference_id, values, now),
        "Your request has been sent to the chair.",
    )


@bp.route("/conferences/<id:conference_id>/requests/decision", methods=["POST"])
@login_required
def decide_request(conference_id):
    session = db()
    values = {k: request.form.get(k, "") for k in DECISION_FIELDS}
    return _request_command(
        conference_id,
        values,
        lambda now: conference_requests.decide_request(session, g.user, conference_id, values, now),
        "Your decision has been recorded.",
    )


def _request_command(conference_id, values, command, done: str):
    session = db()
    conference, level = access.require_conference(session, g.user, conference_id)
    try:
        command(workflow().clock.now())
    except InvalidValue as problem:
        session.rollback()
        return _page(conference, level, problem.fields, values, status=400)
    except (NotAllowed, NotFound):
        raise
    except EngineError as problem:
        session.rollback()
        return _page(conference, level, {"requests": str(problem)}, values, status=400)
    flash(done, "success")
    back = request.form.get("return_to", "")
    if back.startswith("/tasks/") and "//" not in back:  # decided beside the hold task
        return redirect(back)
    return redirect(url_for("documents.show", conference_id=conference.id) + "#requests")


@bp.route("/conferences/<id:conference_id>/family-links", methods=["POST"])
@login_required
def issue_link(conference_id):
    session = db()
    conference = access.require_conference_staff(session, g.user, conference_id)
    values = {k: request.form.get(k, "") for k in ("person_id", "purpose", "email")}
    try:
        person_id = whole_number(values["person_id"]) or 0
        family_links.issue(
            session,
            g.user,
            conference,
            person_id,
            values["purpose"],
            values["email"],
            workflow().clock.now(),
        )
    except (EngineError, ValueError) as problem:
        session.rollback()
        message = str(problem) if isinstance(problem, EngineError) else "Choose who it is for."
        return _page(conference, access.Level.FULL, {"link": message}, values, status=400)
    flash(f"A single-use link has been emailed to {values['email'].strip()}.", "success")
    return redirect(url_for("documents.show", conference_id=conference.id))


def _sent(produced, file_format: str):
    """A produced document as the response: a PDF opens in the browser, Word downloads."""
    return send_file(
        io.BytesIO(produced.content),
        mimetype=produced.mimetype,
        as_attachment=file_format != "pdf",
        download_name=produced.filename,
    )
