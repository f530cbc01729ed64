"""The editor: open a version or the draft, validate, save a draft, deploy, upload a file."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from lxml import etree

from engine.access import roles
from engine.casework import vocabulary
from engine.diagrams import diagram_editing, file_imports, form_versions, registry
from engine.models import catalogue
from engine.models.base import fetch
from engine.models.diagrams import draft_for, instance_counts
from engine.models.processes import ProcessVersion, latest_version, latest_versions
from engine.platform import settings
from engine.platform.errors import EngineError, InvalidDiagram, NotFound

from ..auth.guard import login_required
from ..converters import record_id
from ..extensions import db, workflow
from . import bp
from .versions import NO_VERSION, forms_source


@bp.route("/diagrams")
@login_required
def index():
    session = db()
    entries = catalogue.entries(session)
    processes = [
        {
            "version": version,
            "draft": draft_for(session, version.process_id),
            "counts": instance_counts(session, version.process_id),
            "entry": entries.get(version.process_id),
        }
        for version in latest_versions(session)
    ]
    return render_template("diagrams/index.html", title="Diagrams", processes=processes)


def _latest(process_id: str) -> ProcessVersion:
    version = latest_version(db(), process_id)
    if version is None:
        raise NotFound(f"No process “{process_id}” has been deployed.")
    return version


def _editor(process_id, xml, source, problems=(), notes=(), comment="", status=200):
    """The editor page around `xml`; problems from the server go in the error summary."""
    latest = _latest(process_id)
    return (
        render_template(
            "diagrams/edit.html",
            title=f"Edit {latest.name}",
            process_id=process_id,
            latest=latest,
            draft=draft_for(db(), process_id),
            xml=xml,
            source=source,
            error=bool(problems),
            problems=[
                {"element": getattr(p, "element", None), "message": str(p)} for p in problems
            ],
            notes=notes,
            comment=comment,
            form_keys=_picker(),
            lane_names=[roles.label(r) for r in roles.ROLES],
            functions=vocabulary.LANGUAGE.names,
            settings=settings.current(),
        ),
        status,
    )


def _picker() -> list[dict]:
    return form_versions.every_form(db())


@bp.route("/diagrams/<process_id>/edit")
@login_required
def edit(process_id):
    session = db()
    draft = draft_for(session, process_id)
    wanted = record_id(request.args, "version", NO_VERSION)
    if wanted is None and draft is not None:
        return _editor(process_id, draft.bpmn_xml, f"the draft {draft.saved_by} saved")
    version = (
        fetch(session, ProcessVersion, wanted, f"No diagram version {wanted}.")
        if wanted
        else _latest(process_id)
    )
    if version.process_id != process_id:
        raise NotFound(f"Version {version.id} is not a version of “{process_id}”.")
    return _editor(process_id, version.bpmn_xml, f"version {version.number}")


def _posted_xml() -> str:
    return request.form.get("xml", "")


@bp.route("/diagrams/<process_id>/validate", methods=["POST"])
@login_required
def validate(process_id):
    """JSON for the editor: each problem with the element to mark on the canvas."""
    _latest(process_id)
    starts_like = catalogue.starts_like(db(), process_id)
    result = diagram_editing.check(_posted_xml(), process_id, forms_source(), starts_like)
    return jsonify(result.as_json())


@bp.route("/diagrams/<process_id>/draft", methods=["POST"])
@login_required
def save_draft(process_id):
    _latest(process_id)
    xml = _posted_xml()
    try:
        diagram_editing.save_draft(db(), g.user, process_id, xml, workflow().clock.now())
    except InvalidDiagram as exc:
        return _editor(process_id, xml, "your changes (not saved)", exc.problems, status=422)
    flash("Draft saved. It is not in use until you deploy it.", "success")
    return redirect(url_for("diagrams.edit", process_id=process_id))


@bp.route("/diagrams/<process_id>/draft/discard")
@login_required
def confirm_discard(process_id):
    """Discarding loses someone's unfinished work: asked on a page of its own first."""
    latest = _latest(process_id)
    draft = draft_for(db(), process_id)
    if draft is None:
        flash("There is no draft to discard.", "success")
        return redirect(url_for("diagrams.edit", process_id=process_id))
    return render_template(
        "diagrams/discard.html",
        title=f"Discard the draft of {latest.name}?",
        process_id=process_id,
        latest=latest,
        draft=draft,
    )


@bp.route("/diagrams/<process_id>/draft/discard", methods=["POST"])
@login_required
def discard_draft(process_id):
    diagram_editing.discard_draft(db(), g.user, process_id, workflow().clock.now())
    flash("Draft discarded.", "success")
    return redirect(url_for("diagrams.edit", process_id=process_id))


@bp.route("/diagrams/<process_id>/deploy", methods=["POST"])
@login_required
def deploy(process_id):
    _latest(process_id)
    xml, comment = _posted_xml(), request.form.get("comment", "")
    try:
        version, new = diagram_editing.deploy(
            db(), g.user, process_id, xml, comment, forms_source(), workflow().clock.now()
        )
    except InvalidDiagram as exc:
        return _editor(
            process_id, xml, "your changes (not deployed)", exc.problems, (), comment, 422
        )
    except EngineError as exc:
        return _editor(process_id, xml, "your changes (not deployed)", [str(exc)], (), comment, 422)
    if not new:
        flash(f"Nothing changed: version {version.number} is still the one in use.", "success")
        return redirect(url_for("diagrams.edit", process_id=process_id))
    flash(
        f"Version {version.number} deployed. New cases start on it; running cases stay on their "
        "version until you move them.",
        "success",
    )
    return redirect(url_for("diagrams.migrate", process_id=process_id, to=version.id))


@bp.route("/diagrams/<process_id>/upload", methods=["POST"])
@login_required
def upload(process_id):
    """Open a `.bpmn` file in the editor (nothing is saved): refused files say why. A file that
    is another diagram altogether is opened only once the process owner confirms."""
    deployed = _latest(process_id)
    file = request.files.get("file")
    raw = file.read() if file else b""
    if not raw:
        problem = ["Choose a .bpmn file to upload."]
        return _editor(process_id, deployed.bpmn_xml, "the version in use", problem, status=422)
    reasons = file_imports.differences(raw, deployed.bpmn_xml, process_id)
    if reasons:
        return render_template(
            "diagrams/confirm_import.html",
            title=f"Open a different diagram as {deployed.name}?",
            process_id=process_id,
            latest=deployed,
            reasons=reasons,
            filename=file.filename,
            xml=file_imports.adopt(raw, deployed.process_id).decode("utf-8"),
        )
    return _open_file(process_id, raw, file.filename)


@bp.route("/diagrams/<process_id>/upload/confirmed", methods=["POST"])
@login_required
def upload_confirmed(process_id):
    """The file the owner confirmed, already given this process's id."""
    _latest(process_id)
    filename = request.form.get("filename", "")[:200] or "diagram.bpmn"
    return _open_file(process_id, _posted_xml().encode("utf-8"), filename)


def _open_file(process_id: str, raw: bytes, filename: str):
    starts_like = catalogue.starts_like(db(), process_id)
    result = diagram_editing.check(raw, process_id, forms_source(), starts_like)
    if result.valid:
        source = f"the file {filename}"
        return _editor(process_id, result.diagram.xml, source, notes=result.diagram.notes)
    xml, source = _refused_file(raw, _latest(process_id).bpmn_xml, filename)
    return _editor(process_id, xml, source, result.problems, status=422)


def _refused_file(raw: bytes, deployed: str, filename: str) -> tuple[str, str]:
    """A refused file stays on screen to be fixed, in UTF-8 whatever its encoding; one that is
    hostile or not well-formed XML is not handed to the drawing tool, which cannot draw it."""
    try:
        root = registry.safe_tree(raw)
    except InvalidDiagram:
        return deployed, f"the version in use: the file {filename} was refused"
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return xml, f"the file {filename}, which cannot be deployed as it is"
