"""Reports uploaded as files: checked for size and for really being PDF or Word, then kept.

A file is judged by its bytes, not its name: a PDF starts with `%PDF-`, a Word document is
a zip holding `word/document.xml`. Anything else (old .doc, images, executables renamed) is
refused with a message saying what is accepted, and nothing is saved.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy.orm import Session

from engine.models import audit
from engine.models.conferences import Conference, Report
from engine.models.documents import ReportFile
from engine.models.people import User
from engine.platform import settings
from engine.platform.db import transaction
from engine.platform.errors import EngineError

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class FileRefused(EngineError):
    pass


def max_bytes() -> int:
    return int(settings.get("report_upload_max_megabytes")) * 1024 * 1024


def content_type(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    if content.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX_TYPE
        except zipfile.BadZipFile:
            pass
    raise FileRefused("The file must be a PDF or a Word document (.docx).")


def safe_name(filename: str, kind: str) -> str:
    """The file's own name without any folder part; a plain name if nothing is left."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    extension = ".pdf" if kind == PDF_TYPE else ".docx"
    if not name:
        name = "report" + extension
    return name[-200:]


def upload(
    session: Session, user: User, report: Report, filename: str, content: bytes, now: datetime
) -> ReportFile:
    if not content:
        raise FileRefused("Select a file to upload.")
    if len(content) > max_bytes():
        limit = settings.get("report_upload_max_megabytes")
        raise FileRefused(f"The file must be smaller than {limit} MB.")
    kind = content_type(content)
    row = ReportFile(
        report_id=report.id,
        filename=safe_name(filename, kind),
        content_type=kind,
        size=len(content),
        content=content,
        uploaded_at=now,
        uploaded_by_id=user.id,
    )
    with transaction(session):
        session.add(row)
        session.flush()
        conference = session.get(Conference, report.conference_id)
        audit.record(
            session,
            user,
            "report.file_uploaded",
            now,
            instance_id=conference.instance_id,
            report_id=report.id,
            file_id=row.id,
            size=row.size,
        )
    return row
