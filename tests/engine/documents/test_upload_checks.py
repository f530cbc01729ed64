"""A report file is checked through: the five hostile files of issue 26 item 5 and their kin
are refused with a message saying what is wrong; a clean PDF and a clean .docx still pass."""

from __future__ import annotations

import time

import pytest

from engine.documents import upload_checks
from engine.documents.upload_checks import DOCX_TYPE, PDF_TYPE, FileRefused, check
from tests.engine.documents import hostile_files as files


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [
        ("Police report.pdf", files.clean_pdf, PDF_TYPE),
        ("Police report.docx", files.clean_docx, DOCX_TYPE),
        ("Health.DOCX", files.docx_with_external_hyperlink, DOCX_TYPE),
        ("", files.clean_pdf, PDF_TYPE),  # no name given: report_files names it report.pdf
    ],
)
def test_clean_files_are_taken(name, build, kind):
    assert check(name, build()) == kind


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        # the five from the issue
        ("report.html", files.pdf_html_polyglot, "web page code"),
        ("report.docm", files.docx_with_macros, "contains macros"),
        ("report.docx", files.docx_with_remote_template, "a template on another computer"),
        ("report.pdf", files.pdf_with_javascript_open_action, "contains JavaScript"),
        ("report.docx", files.docx_zip_bomb, "unpacks to more than 50 MB"),
        # their kin
        ("report.pdf", files.pdf_html_polyglot, "web page code"),
        ("report.docx", files.docx_with_macros, "contains macros"),
        ("report.pdf", files.pdf_with_launch_written_in_hex_escapes, "start another program"),
        ("report.pdf", files.pdf_with_javascript_in_a_compressed_object_stream, "JavaScript"),
        ("report.docx", files.docx_with_dde_field, "DDE field"),
        ("report.html", files.clean_pdf, "ends in .html but it is a PDF"),
        ("report.pdf", files.clean_docx, "rename it to end in .docx"),
        ("report", files.clean_pdf, "has no extension"),
        ("report.odt", files.odt, "must be a PDF or a Word document"),
        ("report.doc", lambda: files.OLD_DOC, "must be a PDF or a Word document"),
    ],
)
def test_hostile_and_wrong_files_are_refused_saying_why(name, build, message):
    with pytest.raises(FileRefused, match=message):
        check(name, build())


def test_an_object_stream_hides_javascript_from_a_byte_scan_but_not_from_the_walk():
    content = files.pdf_with_javascript_in_a_compressed_object_stream()
    assert b"JavaScript" not in content
    with pytest.raises(FileRefused, match="JavaScript"):
        upload_checks._walk_pdf(content)


def test_a_pdf_nobody_can_read_is_refused():
    with pytest.raises(FileRefused, match="cannot be read"):
        check("report.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")


def test_a_zip_bomb_that_understates_its_size_stops_at_what_it_declared():
    """zipfile reads no further than the declared size, then the checksum fails; the running
    count in `_unpack` is a second fence behind it."""
    bomb = files.docx_zip_bomb(60)
    lying = files.understated(bomb, "word/media/filler.bin", 1000)
    with pytest.raises(FileRefused, match="unpacks to more than"):
        check("report.docx", bomb)
    started = time.perf_counter()
    with pytest.raises(FileRefused, match="damaged"):
        check("report.docx", lying)
    assert time.perf_counter() - started < 2


def test_too_many_parts_or_a_doctype_in_a_part_are_refused(monkeypatch):
    monkeypatch.setattr(upload_checks, "MAX_ENTRIES", 5)
    with pytest.raises(FileRefused, match="more than 5 parts"):
        check("report.docx", files.clean_docx())
    monkeypatch.undo()
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    )
    hostile = files.rezip(files.clean_docx(), add={"word/_rels/footer.xml.rels": entity})
    with pytest.raises(FileRefused, match="damaged"):
        check("report.docx", hostile)


def test_a_word_template_is_not_a_document():
    base = files.clean_docx()
    types = files._content_types(base).replace("document.main+xml", "template.main+xml")
    template = files.rezip(base, replace={"[Content_Types].xml": types.encode()})
    with pytest.raises(FileRefused, match="Word template"):
        check("report.docx", template)


def test_bytes_inside_a_stream_that_look_like_a_name_or_a_tag_by_chance_are_not_refused():
    filler = b"\x00" * 5000  # past where a browser sniffs
    picture = filler + b"\x89\x13/JS \x00<svg \xff/XFA]" * 3 + filler
    pdf = files.handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            *files.PAGES,
            b"<< /Length %d >>\nstream\n" % len(picture) + picture + b"\nendstream",
        ]
    )
    assert check("report.pdf", pdf) == PDF_TYPE


def test_html_added_after_a_word_file_is_refused():
    with pytest.raises(FileRefused, match="web page code"):
        check("report.docx", files.clean_docx() + b"<html><script>alert(1)</script>")
