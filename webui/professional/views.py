"""Pages reached by a professional's single-use report link: no account, no navigation.

Nothing here reads the signed-in user; the token alone decides, through
`engine.casework.professional_links`, which refuses a made-up, used or expired link (or one
whose report is already in) with a page saying what to do. A refused file or a form with
mistakes comes back with an error summary and the link unspent.
"""

from __future__ import annotations

from flask import current_app, render_template, request

from engine.casework import family_links, professional_links
from engine.documents import antivirus, report_files
from engine.platform.errors import InvalidValue
from forms import load, validate

from ..extensions import db, workflow
from . import bp

FORM = "professional/agency_report"
UPLOAD_MARGIN = 64 * 1024  # the form's own fields around the file


@bp.url_value_preprocessor
def _allow_report_files(endpoint, _values):
    """The report may come with a file: raise the body limit before the CSRF check reads it."""
    if endpoint == "professional.submit":
        request.max_content_length = report_files.max_bytes() + UPLOAD_MARGIN


@bp.errorhandler(family_links.LinkRefused)
def refused(problem):
    status = 410 if problem.gone else 404
    return render_template(
        "professional/refused.html", title="This link cannot be used", message=str(problem)
    ), status


def _page(opened, values, errors=None, status=200):
    return render_template(
        "professional/form.html",
        title=load(FORM).title,
        opened=opened,
        form=load(FORM),
        values=values,
        errors=errors or {},
        resolve=None,
        max_megabytes=report_files.max_bytes() // (1024 * 1024),
    ), status


@bp.route("/professional/<link>")
def open_form(link):
    engine = workflow()
    return _page(professional_links.open_link(db(), engine, link, engine.clock.now()), {})


@bp.route("/professional/<link>", methods=["POST"])
def submit(link):
    session, engine = db(), workflow()
    now = engine.clock.now()
    opened = professional_links.open_link(session, engine, link, now)
    data, problems = validate(load(FORM), request.form, engine.clock.today(), None)
    errors = dict(problems.messages) if problems else {}
    sent = request.files.get("report_file")
    upload = None
    if sent is not None and sent.filename:
        upload = professional_links.Upload(sent.filename, sent.read())
    if errors:
        return _page(opened, request.form, errors, status=400)
    config = current_app.config
    scanner = antivirus.scanner(config.get("CLAMD_ADDRESS"), config["CLAMD_TIMEOUT"])
    try:
        professional_links.submit(session, engine, link, data, upload, now, scanner)
    except (report_files.FileRefused, antivirus.ScannerUnavailable) as problem:
        status = 503 if isinstance(problem, antivirus.ScannerUnavailable) else 400
        return _page(opened, request.form, {"report_file": str(problem)}, status=status)
    except InvalidValue as problem:  # a request naming no one on the record: nothing saved
        return _page(opened, request.form, {"agency_requests": str(problem)}, status=400)
    return render_template("professional/done.html", title="Thank you", opened=opened)
