"""Uploaded report files are judged by their bytes and their size, before anything is kept."""

import io
import zipfile

import docx
import pytest
from sqlalchemy import select

from engine.documents import report_files
from engine.models import AuditEvent, Report, ReportFile
from engine.platform import settings
from tests.processes.driver import Case, held


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    held(made)
    return made


def word_file() -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Police report")
    document.save(out)
    return out.getvalue()


def some_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return out.getvalue()


def the_report(case) -> Report:
    return case.db.scalars(select(Report).where(Report.kind == "agency")).first()


def test_a_word_document_is_kept_with_its_type_and_audited(case):
    row = report_files.upload(
        case.db,
        case.staff["police"],
        the_report(case),
        "Police.docx",
        word_file(),
        case.clock.now(),
    )
    assert row.content_type == report_files.DOCX_TYPE and row.filename == "Police.docx"
    event = case.db.scalars(select(AuditEvent).where(AuditEvent.action.like("report.%"))).one()
    assert event.detail["file_id"] == row.id and event.actor_id == case.staff["police"].id


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (some_zip(), "must be a PDF or a Word document"),
        (b"MZ\x90\x00 renamed program", "must be a PDF or a Word document"),
        (b"%PDF-1.7\n" + b"0" * (1024 * 1024), "smaller than 1 MB"),
    ],
)
def test_other_files_are_refused(case, content, message):
    with (
        settings.using(report_upload_max_megabytes=1),
        pytest.raises(report_files.FileRefused, match=message),
    ):
        report_files.upload(
            case.db, case.staff["sw"], the_report(case), "x.pdf", content, case.clock.now()
        )
    assert case.db.scalars(select(ReportFile)).all() == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\Temp\\r.pdf", "r.pdf"), ("", "report.pdf")],
)
def test_a_file_keeps_only_its_own_name(given, expected):
    assert report_files.safe_name(given, report_files.PDF_TYPE) == expected
