"""The virus scanner hook against a local fake clamd: clean, found, unreachable, odd answers,
and the upload that is refused (fail closed) and saves nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.documents import antivirus, report_files
from engine.models import Report, ReportFile
from tests.engine.documents import hostile_files as files
from tests.engine.documents.fake_clamd import MARKER, SIGNATURE, FakeClamd, unused_address
from tests.processes.driver import Case, held


@pytest.fixture
def clamd():
    server = FakeClamd()
    yield server
    server.close()


def test_a_clean_file_is_streamed_in_chunks_and_passes(clamd):
    content = files.clean_docx() + b"\0" * (3 * antivirus.CHUNK)  # several chunks
    antivirus.Clamd(clamd.address, timeout=5).check(content)
    assert clamd.commands == [b"zINSTREAM\0"] and clamd.received == [content]


def test_a_file_the_scanner_finds_is_refused_naming_what_was_found(clamd):
    with pytest.raises(antivirus.VirusFound, match=f"found something harmful.*{SIGNATURE}"):
        antivirus.Clamd(clamd.address, timeout=5).check(b"%PDF-1.4 " + MARKER)


def test_an_unreachable_scanner_refuses_the_file():
    with pytest.raises(antivirus.ScannerUnavailable, match="scanner is not answering"):
        antivirus.Clamd(unused_address(), timeout=2).check(files.clean_pdf())


def test_an_answer_that_is_neither_ok_nor_found_refuses_the_file():
    server = FakeClamd(answer=b"INSTREAM size limit exceeded. ERROR\0")
    try:
        with pytest.raises(antivirus.ScannerUnavailable, match="could not check"):
            antivirus.Clamd(server.address, timeout=5).check(files.clean_pdf())
    finally:
        server.close()


def test_a_unix_socket_scanner_is_spoken_to_the_same_way():
    folder = Path(tempfile.mkdtemp(prefix="clamd", dir="/tmp"))
    server = FakeClamd(unix_path=str(folder / "clamd.sock"))
    try:
        scanner = antivirus.scanner(server.address, timeout=5)
        scanner.check(files.clean_pdf())
        with pytest.raises(antivirus.VirusFound):
            scanner.check(MARKER)
    finally:
        server.close()
        (folder / "clamd.sock").unlink(missing_ok=True)
        folder.rmdir()


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("127.0.0.1:3310", ("tcp", ("127.0.0.1", 3310))),
        ("clamav.internal:3310", ("tcp", ("clamav.internal", 3310))),
        ("[::1]:3310", ("tcp", ("::1", 3310))),
        ("unix:/run/clamav/clamd.ctl", ("unix", "/run/clamav/clamd.ctl")),
    ],
)
def test_addresses_are_host_and_port_or_a_unix_path(value, parsed):
    assert antivirus.parse_address(value) == parsed


@pytest.mark.parametrize("value", ["clamd", "host:0", "host:99999", "unix:relative.sock", ":3310"])
def test_a_wrong_address_is_named(value):
    with pytest.raises(ValueError, match="must be"):
        antivirus.parse_address(value)


def test_no_address_means_no_scanner():
    assert antivirus.scanner(None) is None and antivirus.scanner("") is None


@pytest.fixture
def case(db, engine, clock):
    made = Case(db, engine, clock, reload=False)
    held(made)
    return made


def test_an_upload_the_scanner_refuses_or_cannot_check_saves_nothing(case, clamd):
    report = case.db.scalars(select(Report).where(Report.kind == "agency")).first()
    hostile = files.clean_pdf() + b"%" + MARKER + b"\n"  # the fake reads no zip, unlike clamd
    for scanner, refused in (
        (antivirus.Clamd(clamd.address, timeout=5), antivirus.VirusFound),
        (antivirus.Clamd(unused_address(), timeout=2), antivirus.ScannerUnavailable),
    ):
        with pytest.raises(refused):
            report_files.upload(
                case.db, case.staff["police"], report, "r.pdf", hostile, case.clock.now(), scanner
            )
        case.db.rollback()
    assert case.db.scalars(select(ReportFile)).all() == []
    row = report_files.upload(
        case.db,
        case.staff["police"],
        report,
        "r.docx",
        files.clean_docx(),
        case.clock.now(),
        scanner=antivirus.Clamd(clamd.address, timeout=5),
    )
    assert row.id and len(clamd.received) == 2
