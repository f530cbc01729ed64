"""An uploaded report file checked through, not just by its first bytes.

Only PDF (.pdf) and Word (.docx) are taken, and the name must agree with the content: a PDF
called `report.html` is refused, because once downloaded it would open in a browser. Old
.doc and .odt files were never accepted and still are not. Then the whole structure:

- no file may carry HTML or script markup at its start or end, nor a PDF in its text (a
  PDF/HTML polyglot);
- a PDF must open (pypdf, which also reads compressed object streams), must not be
  encrypted (nothing inside could be checked), and no object may hold JavaScript (`/JS`,
  `/JavaScript`, which is how an `/OpenAction` runs a script), a `/Launch` action, an
  attached file (`/EmbeddedFile(s)`), `/RichMedia` or an `/XFA` form. The raw bytes are
  scanned for the same names too, so an object left out of the cross-reference table is
  not missed;
- a Word file must be a sound zip of a bounded number of entries whose declared and actual
  unpacked sizes stay under a bound (reading stops as soon as the bytes really unpacked pass
  it) and whose compression ratio is believable; no macros (a VBA project, a macro-enabled
  or template content type, ActiveX, VBA inside an embedded old-format object); no
  relationship to anything outside the file except a plain hyperlink (a remote template,
  a linked picture, an OLE link or a frame is refused); no DDE field. Its XML is parsed
  with entities, DTDs and the network off.

Each refusal says what is wrong and what to do; nothing is saved.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from lxml import etree

from engine.platform.errors import EngineError

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF_TYPE: ".pdf", DOCX_TYPE: ".docx"}

MAX_ENTRIES = 2000  # a long report with many pictures has a few hundred
MAX_UNPACKED = 50 * 1024 * 1024  # all entries together, declared and as really unpacked
MAX_RATIO = 100  # for an entry over RATIO_FLOOR; Word's XML packs about 5 to 20 times
RATIO_FLOOR = 1024 * 1024
SNIFF_BYTES = 4096  # a browser sniffs the first 1445 bytes; a little more for safety
MAX_PDF_NODES = 2_000_000  # dictionary and array items walked in one PDF

WHAT_IS_TAKEN = "The file must be a PDF or a Word document (.docx)."
REPAIR = "Open it, save it again as {what} and upload it again."
MACROS = (
    "This Word file contains macros. Save it as .docx without macros "
    "(Word Document, not Word Macro-Enabled Document) and upload it again."
)
MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta)[\s>/]",
    re.IGNORECASE,
)
DECLARATIONS = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
# A stream's bytes (pictures, compressed text) are left out of the raw scan: by chance alone
# a 10 MB picture would hold `/JS` and a delimiter about one time in twenty. pypdf reads the
# streams that matter (object streams) decoded.
PDF_STREAM = re.compile(rb"\bstream(?:\r\n|\n|\r).*?\bendstream\b", re.DOTALL)
PDF_REFUSED = {
    "JavaScript": "contains JavaScript, which could run when it is opened",
    "JS": "contains JavaScript, which could run when it is opened",
    "Launch": "can start another program when it is opened",
    "EmbeddedFile": "has other files attached inside it",
    "EmbeddedFiles": "has other files attached inside it",
    "RichMedia": "contains embedded media (Flash or video)",
    "XFA": "is an XFA form, which can run scripts",
}
PDF_FIX = (
    "Print it to a new PDF (or export it again without scripts, attachments or forms) "
    "and upload that."
)
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLE_MACRO_MARKS = ("_VBA_PROJECT".encode("utf-16-le"), "Macros".encode("utf-16-le"))
DDE = re.compile(r"^\s*DDE(?:AUTO)?\b", re.IGNORECASE)


class FileRefused(EngineError):
    pass


def check(filename: str, content: bytes) -> str:
    """The file's content type once every check has passed; `FileRefused` saying why not."""
    kind = _kind(content)
    if _has_markup(content, kind):
        raise FileRefused(
            "This file also contains web page code (HTML or script), which is not allowed "
            f"in a report. {REPAIR.format(what=_what(kind))}"
        )
    if kind == PDF_TYPE:
        _check_pdf(content)
    else:
        _check_docx(content)
    _name_agrees(filename, kind)  # after: a .docm is told about its macros, not its name
    return kind


def _has_markup(content: bytes, kind: str) -> bool:
    """HTML where a browser sniffing the file looks (its start and end), or anywhere in a
    PDF's text outside its streams. Inside compressed or picture bytes a short tag such as
    `<svg ` turns up by chance, so those are not searched."""
    ends = content[:SNIFF_BYTES] + b" " + content[-SNIFF_BYTES:]
    if MARKUP.search(ends):
        return True
    return kind == PDF_TYPE and MARKUP.search(PDF_STREAM.sub(b" ", content)) is not None


def _what(kind: str) -> str:
    return "PDF" if kind == PDF_TYPE else "a Word document (.docx)"


def _kind(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        return PDF_TYPE
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX_TYPE
        except (zipfile.BadZipFile, ValueError, EOFError):
            pass
    raise FileRefused(WHAT_IS_TAKEN)


def _name_agrees(filename: str, kind: str) -> None:
    """A name given must end in the extension of what the file is."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    if not name:
        return  # report_files.safe_name gives it a plain one
    extension = PurePosixPath(name).suffix.lower()
    expected = EXTENSIONS[kind]
    if extension == expected:
        return
    shown = f"ends in {extension}" if extension else "has no extension"
    raise FileRefused(
        f"The file's name {shown} but it is {'a PDF' if kind == PDF_TYPE else 'a Word document'}. "
        f"Only .pdf and .docx files are taken: rename it to end in {expected} and upload it again."
    )


# ---- PDF ------------------------------------------------------------------------------------


def _pdf_refused(name: str) -> FileRefused:
    return FileRefused(f"This PDF {PDF_REFUSED[name]}. {PDF_FIX}")


def _check_pdf(content: bytes) -> None:
    for match in PDF_NAME.finditer(PDF_STREAM.sub(b" ", content)):
        name = PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        refused = name.decode("latin-1")
        if refused in PDF_REFUSED:
            raise _pdf_refused(refused)
    try:
        _walk_pdf(content)
    except FileRefused:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged or hostile file
        raise FileRefused(
            f"This PDF cannot be read: it may be damaged. {REPAIR.format(what='PDF')}"
        ) from exc


def _walk_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        raise FileRefused(
            "This PDF is protected with a password or encryption, so it cannot be checked. "
            "Save a copy without protection and upload that."
        )
    roots = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots += [IndirectObject(number, generation, reader) for number in numbers]
    roots += [IndirectObject(number, 0, reader) for number in reader.xref_objStm]
    budget = MAX_PDF_NODES
    for root in roots:
        pending = [root.get_object() if isinstance(root, IndirectObject) else root]
        while pending:
            budget -= 1
            if budget < 0:
                raise FileRefused(f"This PDF is too complex to check. {PDF_FIX}")
            node = pending.pop()
            if isinstance(node, NameObject) and node[1:] in PDF_REFUSED:
                raise _pdf_refused(node[1:])
            if isinstance(node, DictionaryObject):
                for key, value in node.items():
                    if key[1:] in PDF_REFUSED:
                        raise _pdf_refused(key[1:])
                    if not isinstance(value, IndirectObject):  # every object is walked anyway
                        pending.append(value)
            elif isinstance(node, ArrayObject):
                pending += [item for item in node if not isinstance(item, IndirectObject)]


# ---- Word -----------------------------------------------------------------------------------


def _damaged_word() -> FileRefused:
    return FileRefused(
        "This Word file cannot be opened: it may be damaged. "
        + REPAIR.format(what="a Word document (.docx)")
    )


def _too_big() -> FileRefused:
    return FileRefused(
        f"This Word file unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB, or is packed "
        "far more tightly than a real document. "
        "Save it again in Word (make pictures smaller if it is large) and upload it again."
    )


def _check_docx(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = _unpack(archive)
    except FileRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        raise _damaged_word() from None
    except Exception as exc:  # zlib.error, OSError and the like from a broken entry
        raise _damaged_word() from exc
    _check_content_types(parts.get("[Content_Types].xml"))
    for name, data in parts.items():
        if name.endswith(".rels"):
            _check_relationships(data)
        elif name.startswith("word/") and name.endswith(".xml"):
            _check_fields(data)
        elif data.startswith(OLE_MAGIC) and any(mark in data for mark in OLE_MACRO_MARKS):
            raise FileRefused(MACROS)


def _unpack(archive: zipfile.ZipFile) -> dict[str, bytes]:
    """The parts worth reading, every entry unpacked once under the size bound."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise FileRefused(
            f"This Word file holds more than {MAX_ENTRIES} parts, more than a report needs. "
            + REPAIR.format(what="a Word document (.docx)")
        )
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise _damaged_word()
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise _too_big()
    for entry in entries:
        if PurePosixPath(entry.filename).name.lower() in MACRO_PARTS:
            raise FileRefused(MACROS)
        if "activex" in entry.filename.lower():
            raise FileRefused(MACROS)
        if entry.flag_bits & 0x1:
            raise FileRefused(
                "This Word file is protected with a password, so it cannot be checked. "
                "Save a copy without a password and upload that."
            )
        big = entry.file_size > RATIO_FLOOR
        if big and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise _too_big()
    parts, left = {}, MAX_UNPACKED
    for entry in entries:
        kept = _worth_reading(entry.filename)
        chunks = []
        with archive.open(entry) as stream:
            while chunk := stream.read(64 * 1024):
                left -= len(chunk)
                if left < 0:
                    raise _too_big()
                if kept or (not chunks and chunk.startswith(OLE_MAGIC)):
                    chunks.append(chunk)
                    kept = True
        if kept:
            parts[entry.filename] = b"".join(chunks)
    return parts


def _worth_reading(name: str) -> bool:
    return name == "[Content_Types].xml" or name.endswith(".rels") or name.startswith("word/")


def _xml(data: bytes):
    if DECLARATIONS.search(data):
        raise _damaged_word()
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise _damaged_word() from None


def _check_content_types(data: bytes | None) -> None:
    if data is None:
        raise _damaged_word()
    root = _xml(data)
    main = None
    for item in root:
        kind = (item.get("ContentType") or "").lower()
        if any(mark in kind for mark in MACRO_TYPES):
            raise FileRefused(MACROS)
        if item.tag == f"{{{TYPES_NS}}}Override" and item.get("PartName") == "/word/document.xml":
            main = kind
    if main is None:
        raise _damaged_word()
    if main != DOCUMENT_MAIN:
        raise FileRefused(
            "This is a Word template or another kind of Office file, not a Word document. "
            "Save it as a Word Document (.docx) and upload it again."
        )


def _check_relationships(data: bytes) -> None:
    for relationship in _xml(data).iter(f"{{{RELS_NS}}}Relationship"):
        if (relationship.get("TargetMode") or "").lower() != "external":
            continue
        kind = (relationship.get("Type") or "").rsplit("/", 1)[-1]
        if kind == "hyperlink":
            continue  # a link the reader chooses to follow; Word fetches nothing by itself
        raise FileRefused(
            f"This Word file loads something from outside the file ({_plain(kind)}). "
            "Save it as an ordinary .docx with everything inside it "
            "(in Word: File, Info, Edit links to files, Break link) and upload it again."
        )


def _plain(kind: str) -> str:
    return {
        "attachedTemplate": "a template on another computer",
        "image": "a linked picture",
        "oleObject": "a linked object",
        "frame": "a frame",
        "subDocument": "a linked document",
    }.get(kind, f"a linked {kind or 'part'}")


def _check_fields(data: bytes) -> None:
    """Field codes, each put back together from the runs Word splits it into."""
    root = _xml(data)
    codes = [node.get(f"{{{W_NS}}}instr") or "" for node in root.iter(f"{{{W_NS}}}fldSimple")]
    current: list[str] | None = None
    for node in root.iter(f"{{{W_NS}}}fldChar", f"{{{W_NS}}}instrText"):
        if node.tag.endswith("instrText"):
            if current is not None:
                current.append(node.text or "")
            continue
        if current is not None:
            codes.append("".join(current))
        current = [] if node.get(f"{{{W_NS}}}fldCharType") == "begin" else None
    if current is not None:
        codes.append("".join(current))
    if any(DDE.search(code) for code in codes):
        raise FileRefused(
            "This Word file contains a DDE field, which can run programs when it is opened. "
            "Remove the field and upload it again."
        )
