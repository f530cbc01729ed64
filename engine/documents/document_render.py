"""Turn a document's data into an accessible PDF or a Word file, from one template.

The wording lives in `documents/templates/` (one HTML template per document, Jinja), so a
process owner changes a letter by editing a file beside the diagrams, not Python
(`CPC_DOCUMENTS_DIR` moves the folder; see `engine.platform.folders`). The PDF is
WeasyPrint's tagged PDF/UA with the document's title and language; the Word file is built
from the same HTML by walking its headings, paragraphs, lists, tables and images, so the two
formats never say different things: real heading styles, header rows, images with their alt
text and the document's language, as the PDF has.

WeasyPrint and python-docx are imported when a file is first rendered, never at start: a
step only records a document's data (`frozen`), so most workers never render one, and the
two libraries and their fonts would otherwise be a third of every worker's memory.
"""

from __future__ import annotations

import hashlib
import io
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.platform import folders

PDF, DOCX = "pdf", "docx"
MIMETYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
LANGUAGE = "en-GB"


def in_words(value) -> str:
    """A date as people write it in a letter: Monday 11 January 2027."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value:%A} {value.day} {value:%B %Y}"


def paragraphs(value) -> list[str]:
    """Free text split into its paragraphs (blank lines and line breaks alike)."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


@lru_cache(maxsize=1)
def documents_dir() -> Path:
    return folders.documents()


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(documents_dir() / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["in_words"] = in_words
    env.filters["paragraphs"] = paragraphs
    return env


def render_html(data: dict) -> str:
    logo = logo_path(data)
    return (
        environment()
        .get_template(f"{'family_' if data.get('family') else ''}{data['kind']}.html")
        .render(doc=data, lang=LANGUAGE, logo=logo.as_uri() if logo else None)
    )


def logo_path(data: dict) -> Path | None:
    """council_logo: a file in the documents folder (or an absolute path).

    Earlier settings files name it from the top of the checkout (`documents/logo.png`); that
    leading `documents/` is read as the documents folder, wherever it is.
    """
    name = data["council"].get("logo")
    if not name:
        return None
    relative = PurePosixPath(name)
    if not relative.is_absolute() and relative.parts[:1] == ("documents",):
        relative = PurePosixPath(*relative.parts[1:])
    path = documents_dir() / relative
    return path if path.is_file() else None


def to_pdf(page: str) -> bytes:
    """Tagged PDF/UA: title and language from the HTML, structure from its elements."""
    import weasyprint

    document = weasyprint.HTML(string=page, base_url=documents_dir().as_uri() + "/")
    return document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def to_docx(page: str, data: dict) -> bytes:
    import docx
    from docx.shared import Mm
    from lxml import html as lxml_html

    tree = lxml_html.document_fromstring(page)
    word = docx.Document()
    for section in word.sections:  # A4 like the PDF (python-docx's default is US Letter)
        section.page_width, section.page_height = Mm(210), Mm(297)
    word.core_properties.title = tree.findtext(".//title") or data["title"]
    word.core_properties.language = LANGUAGE
    word.core_properties.author = data["council"]["name"]
    _set_language(word)
    for element in tree.body.iterchildren():
        _block(word, element)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def render(data: dict, file_format: str) -> bytes:
    page = render_html(data)
    return to_pdf(page) if file_format == PDF else to_docx(page, data)


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# ---- HTML to Word ---------------------------------------------------------------------------

HEADINGS = {f"h{level}": level for level in range(1, 7)}


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _block(word, element) -> None:
    """One block of the page as Word content; containers are walked into."""
    from docx.enum.text import WD_BREAK

    tag = element.tag if isinstance(element.tag, str) else ""
    classes = (element.get("class") or "").split()
    if "page-break" in classes:
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    if tag in HEADINGS:
        word.add_heading(_text(element), level=HEADINGS[tag])
    elif tag == "img":
        _picture(word, element)
    elif tag == "p":
        _paragraph(word.add_paragraph(), element)
    elif tag in ("ul", "ol"):
        style = "List Bullet" if tag == "ul" else "List Number"
        for item in element.iterfind("li"):
            word.add_paragraph(_text(item), style=style)
    elif tag == "table":
        _table(word, element)
    elif tag == "dl":
        for term, value in zip(element.iterfind("dt"), element.iterfind("dd"), strict=False):
            paragraph = word.add_paragraph()
            paragraph.add_run(_text(term) + ": ").bold = True
            paragraph.add_run(_text(value))
    elif tag in ("div", "section", "header", "footer", "main", "article"):
        for child in element.iterchildren():
            _block(word, child)


def _paragraph(paragraph, element) -> None:
    """Text with its bold parts kept bold."""
    if element.text:
        paragraph.add_run(element.text)
    for child in element.iterchildren():
        run = paragraph.add_run(child.text_content())
        run.bold = child.tag in ("strong", "b")
        if child.tail:
            paragraph.add_run(child.tail)


def _set_language(word) -> None:
    """The language every run inherits, so a screen reader reads the text as British English."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = word.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), LANGUAGE)


def _picture(word, element) -> None:
    """An image from the documents folder (the council's logo) with the HTML's alt text as
    the picture's description, which is what Word and screen readers read out."""
    from docx.shared import Mm

    source = element.get("src") or ""
    if not source.startswith("file://"):
        return
    path = Path(unquote(urlsplit(source).path))
    if not path.is_file():
        return
    run = word.add_paragraph().add_run()
    picture = run.add_picture(str(path), width=Mm(20))
    picture._inline.docPr.set("descr", element.get("alt") or "")


def _table(word, element) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rows = element.findall(".//tr")
    if not rows:
        return
    width = max(len(row.findall("th") + row.findall("td")) for row in rows)
    table = word.add_table(rows=0, cols=width)
    table.style = "Table Grid"
    for row in rows:
        added = table.add_row()
        cells = added.cells
        for index, cell in enumerate(row.iterchildren("th", "td")):
            cells[index].text = _text(cell)
            if cell.tag == "th":
                for run in cells[index].paragraphs[0].runs:
                    run.bold = True
        if row.getparent().tag == "thead":
            # A header row, as Word marks it: repeated on each page and read as the header.
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            added._tr.get_or_add_trPr().append(header)
