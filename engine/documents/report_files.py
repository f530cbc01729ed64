"""Reports uploaded as files: checked for size, checked through, scanned, then kept.

A file is judged by its bytes and its whole structure (`upload_checks`: PDF or .docx only,
the name agreeing, nothing that runs, reaches out or unpacks into gigabytes), then by the
council's virus scanner when one is configured (`antivirus`, handed in by the caller).
Anything else is refused with a message saying what is wrong, and nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy.orm import Session

from engine.documents.antivirus import Clamd
from engine.documents.upload_checks import DOCX_TYPE, PDF_TYPE, FileRefused, check
from engine.models import audit
from engine.models.conferences import Conference, Report
from engine.models.documents import ReportFile
from engine.models.people import User
from engine.platform import settings
from engine.platform.db import transaction

__all__ = ["DOCX_TYPE", "PDF_TYPE", "FileRefused", "checked", "max_bytes", "safe_name", "upload"]


def max_bytes() -> int:
    return int(settings.get("report_upload_max_megabytes")) * 1024 * 1024


def safe_name(filename: str, kind: str) -> str:
    """The file's own name without any folder part; a plain name if nothing is left."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name.strip()
    extension = ".pdf" if kind == PDF_TYPE else ".docx"
    if not name:
        name = "report" + extension
    return name[-200:]


def checked(
    report: Report,
    filename: str,
    content: bytes,
    now: datetime,
    user_id: int | None,
    scanner: Clamd | None = None,
) -> ReportFile:
    """The file as a row not yet added, once its size, bytes and scan pass; `FileRefused`
    says what is wrong otherwise. The caller adds it in its own transaction."""
    if not content:
        raise FileRefused("Select a file to upload.")
    if len(content) > max_bytes():
        limit = settings.get("report_upload_max_megabytes")
        raise FileRefused(f"The file must be smaller than {limit} MB.")
    kind = check(filename, content)
    if scanner is not None:
        scanner.check(content)
    return ReportFile(
        report_id=report.id,
        filename=safe_name(filename, kind),
        content_type=kind,
        size=len(content),
        content=content,
        uploaded_at=now,
        uploaded_by_id=user_id,
    )


def upload(
    session: Session,
    user: User,
    report: Report,
    filename: str,
    content: bytes,
    now: datetime,
    scanner: Clamd | None = None,
) -> ReportFile:
    row = checked(report, filename, content, now, user.id, scanner)
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
